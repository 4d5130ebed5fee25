import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedColumnsProblem, type JournalAppend, type StoredColumns } from '../../../src/journal/index.js';
import { parseVaultAuditLine } from '../../../src/journal/import/vault-audit.js';
import { parseCloudTrailRecord } from '../../../src/journal/import/cloudtrail.js';
import { parseCapsuleLogLine } from '../../../src/journal/import/capsule-log.js';
import { Problem } from '../../../src/journal/import/parsed.js';
import { serverEvents } from '../../../src/journal/server-events.js';
import { KEY_COLUMNS, type JournalKeys } from '../../../src/journal/types.js';
import { manualClock } from '../../../src/lib/clock.js';
import { FIXTURES } from '../import-helpers.js';

const lines = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').split('\n').filter((l) => l !== '');

/** The columns a record is stored with (as the journal file gives them). */
function columnsOf(r: Omit<JournalAppend, 'origin'>): StoredColumns {
  const keys: Record<string, string | null> = {};
  for (const [name, column] of Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][]) keys[column] = r.keys[name] ?? null;
  return { kind: r.kind, time: r.timeNs, keys };
}

function imported(): Omit<JournalAppend, 'origin'>[] {
  const parsed = [
    ...lines('vault-audit.log').map((l) => parseVaultAuditLine(l, true)),
    ...lines('capsule-access.jsonl').map((l) => parseCapsuleLogLine(l, true)),
    ...(JSON.parse(readFileSync(join(FIXTURES, 'cloudtrail-aws.json'), 'utf8')).Records as unknown[])
      .map((r) => parseCloudTrailRecord(Buffer.from(JSON.stringify(r)))),
  ];
  return parsed.map((p) => {
    assert.ok(!(p instanceof Problem), p instanceof Problem ? p.problem : '');
    return p;
  });
}

test('imported records of every format, and server events, agree with their texts', () => {
  const records = imported();
  assert.deepEqual([...new Set(records.map((r) => r.kind))].sort(), ['capsule-access', 'capsule-control', 'cloudtrail', 'vault-request', 'vault-response']);
  const made: JournalAppend[] = [];
  const events = serverEvents({ append: async (r) => { made.push(r); } }, manualClock(1_796_000_000_123), () => undefined);
  events.record('start', { address: '127.0.0.1:8200' });
  events.record('ledger_failing', { code: 'ENOSPC' });
  events.record('reload', { applied: '' }, 'failure');
  for (const r of [...records, ...made]) assert.equal(storedColumnsProblem(r.text, columnsOf(r)), undefined, r.text);
});

test('a changed column is named: kind, time and each key the text determines; the API\'s RFC 3339 time is read as the file\'s ns', () => {
  const [request, response] = imported();
  const columns = columnsOf(response);
  const changed = (change: Partial<StoredColumns> & { set?: Record<string, string | null> }) =>
    storedColumnsProblem(response.text, { ...columns, ...change, keys: { ...columns.keys, ...change.set } });
  assert.equal(changed({}), undefined);
  assert.equal(changed({ time: '2026-12-05T03:04:05.124691356Z' }), undefined);
  assert.equal(changed({ kind: 'cloudtrail' }), 'kind');
  assert.equal(changed({ kind: 'vault-request' }), 'kind');
  assert.equal(changed({ time: response.timeNs - 1n }), 'time_ns');
  assert.equal(changed({ time: '2026-12-04T03:04:05.124691356Z' }), 'time_ns');
  assert.equal(changed({ set: { request_id: 'another' } }), 'request_id');
  assert.equal(changed({ set: { path: 'secret/data/k1-99' } }), 'path');
  assert.equal(changed({ set: { operation: 'delete' } }), 'operation');
  assert.equal(changed({ set: { remote_address: '10.9.9.9' } }), 'remote_address');
  assert.equal(changed({ set: { accessor: 'hmac-sha256:another' } }), 'accessor');
  assert.equal(changed({ set: { capsule: 'c' } }), 'capsule');
  assert.equal(changed({ set: { key_arn: 'arn:aws:kms:us-east-1:111122223333:key/x' } }), 'key_arn');
  const requestColumns = columnsOf(request);
  assert.equal(storedColumnsProblem(request.text, { ...requestColumns, keys: { ...requestColumns.keys, outcome: 'failure' } }), 'outcome');
  // A text of no record kind (none is ever stored) names no column.
  assert.equal(storedColumnsProblem('{"seq":1}', { kind: 'server', time: 0n, keys: {} }), undefined);
});
