/**
 * The reduced entry a device offers a sink with an entry-size limit (src/audit/reduced-entry.ts):
 * the same request without request data, audited headers, response data, warnings and token
 * metadata, with `elided` naming the full line's size, in either format and after the prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditDevice } from '../../src/audit/device.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import type { ReducedLine } from '../../src/audit/reduced-entry.js';
import { journalSinkFactory } from '../../src/audit/devices/journal/index.js';
import type { JournalAppend, JournalStore } from '../../src/journal/index.js';
import { H, kvResponseInput, silentLog, snapshot } from './helpers.js';

/** What the device wrote whole, and what it offered as the reduced line for a full size of 123456. */
function written(options: Record<string, string>): { full: string; reduced: string } {
  let full = '';
  let reduce: ReducedLine | undefined;
  const sink = {
    delivery: 'confirmed' as const,
    write(line: string, reduced?: ReducedLine) { full = line; reduce = reduced; return Promise.resolve(); },
    async reopen() {},
    async close() {},
  };
  const device = createAuditDevice({ path: 'net/', type: 'socket', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: true }), sink);
  const input = kvResponseInput();
  input.auditedHeaders = { 'x-request-source': ['ci'] };
  const before = snapshot(input);
  void device.process(input, 'response', { values: { 'x-request-source': ['ci'] }, hmac: new Set() });
  assert.ok(reduce, 'the device offers a reduced line');
  const reduced = reduce(123456);
  assert.equal(snapshot(input), before, 'the input is not changed');
  return { full, reduced };
}

test('JSON: the reduced entry keeps who, what, where and the outcome, drops the data, and says how large the entry was', () => {
  const { full, reduced } = written({ prefix: 'AUDIT: ' });
  assert.ok(full.startsWith('AUDIT: {') && reduced.startsWith('AUDIT: {') && reduced.endsWith('}\n'));
  const whole = JSON.parse(full.slice(7));
  const entry = JSON.parse(reduced.slice(7));
  assert.deepEqual(entry.elided, { entry_bytes: 123456 });
  assert.ok(whole.request.data && whole.response.data && whole.response.warnings && whole.auth.metadata && whole.request.headers);
  for (const gone of [entry.request.data, entry.request.headers, entry.response.data, entry.response.warnings, entry.auth.metadata]) assert.equal(gone, undefined);
  const kept = ({ elided: _, ...rest }: Record<string, unknown>) => rest;
  const strip = (e: typeof whole) => {
    const { data: _d, headers: _h, ...request } = e.request;
    const { data: _rd, warnings: _w, ...response } = e.response;
    const { metadata: _m, ...auth } = e.auth;
    return { ...e, auth, request, response };
  };
  assert.deepEqual(kept(entry), strip(whole));
  assert.equal(entry.auth.accessor, H.bar);
  assert.equal(Object.keys(entry).at(-1), 'elided');
});

test('JSONx: the reduced entry carries elided among its members', () => {
  const { full, reduced } = written({ format: 'jsonx' });
  assert.match(full, /<json:string name="password">/);
  assert.doesNotMatch(reduced, /name="password"|name="metadata"|name="warnings"/);
  assert.match(reduced, /<json:object name="elided"><json:number name="entry_bytes">123456<\/json:number><\/json:object>/);
  assert.match(reduced, /<json:string name="path">secret\/data\/app<\/json:string>/);
});

test('the journal keeps an entry over its record limit reduced, with its facts, and a usual entry whole', async () => {
  const kept: JournalAppend[] = [];
  const store = { append(record: JournalAppend) { kept.push(record); return Promise.resolve(); } } as unknown as JournalStore;
  const sink = await journalSinkFactory(store)({ log: silentLog } as never);
  const device = createAuditDevice({ path: 'journal/', type: 'journal', description: '', options: {}, local: false, salt: 'foo' },
    parseCommonOptions({}, { allowAuditLogPrefixing: false }), sink);

  const usual = kvResponseInput();
  await device.process(usual, 'response');
  // Keys are written as sent (Vault hashes values only): one key makes the entry as large as it likes.
  const huge = kvResponseInput();
  huge.request = { ...huge.request, data: { ['k'.repeat(67_200_000)]: 'v' } };
  await device.process(huge, 'response');

  assert.equal(kept.length, 2);
  assert.equal(JSON.parse(kept[0].text).elided, undefined);
  assert.equal(JSON.parse(kept[0].text).request.data.data.password, H.s3cr3t);
  const reduced = JSON.parse(kept[1].text);
  assert.ok(reduced.elided.entry_bytes > 67_200_000, JSON.stringify(reduced.elided));
  assert.equal(reduced.request.data, undefined);
  assert.equal(reduced.request.id, huge.request.id);
  assert.equal(kept[1].kind, 'vault-response');
  assert.deepEqual(kept[1].keys, { ...kept[0].keys });
});
