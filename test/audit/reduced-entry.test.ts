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
import { H, kvResponseInput, snapshot } from './helpers.js';

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
