import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditDevice } from '../../src/audit/device.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import { elideListData } from '../../src/audit/elide.js';
import type { AuditInput } from '../../src/audit/model.js';
import { renderVaultResponse } from '../../src/server/vault-response.js';
import { deepFreeze, kvMount, memorySink, snapshot, TIME_NS } from './helpers.js';

function listInput(data: Record<string, unknown>, operation: 'list' | 'read' = 'list'): AuditInput {
  return deepFreeze({
    request: { id: 'l1', operation, path: 'secret/metadata/', data: {}, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 },
    operation, timeNs: TIME_NS, mount: kvMount, response: { data },
  });
}

function run(input: AuditInput, elide: boolean): string {
  const sink = memorySink();
  const options: Record<string, string> = elide ? { elide_list_responses: 'true', log_raw: 'true' } : { log_raw: 'true' };
  const d = createAuditDevice({ path: 'm/', type: 'memory', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: false }), sink);
  void d.process(input, 'response');
  return /"response":(\{.*\})\}\n$/.exec(sink.lines[0])![1];
}

test('elided list response: keys and key_info become counts', () => {
  const input = listInput({ keys: ['a', 'b/', 'c'], key_info: { a: { x: 1 }, c: {} }, other: 'kept' });
  const before = snapshot(input);
  assert.equal(run(input, true), '{"mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d","mount_running_plugin_version":"v0.1.0+builtin.sealtrail","mount_class":"secret","data":{"key_info":2,"keys":3,"other":"kept"}}');
  assert.equal(run(input, false), '{"mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d","mount_running_plugin_version":"v0.1.0+builtin.sealtrail","mount_class":"secret","data":{"key_info":{"a":{"x":1},"c":{}},"keys":["a","b/","c"],"other":"kept"}}');
  assert.equal(snapshot(input), before);
});

test('elision only on list operations and only for the documented shapes', () => {
  assert.ok(run(listInput({ keys: ['a'] }, 'read'), true).includes('"keys":["a"]'));
  assert.deepEqual(elideListData({ keys: 'not-a-list', key_info: ['x'] }), { keys: 'not-a-list', key_info: ['x'] });
  assert.deepEqual(elideListData({ keys: [], key_info: {} }), { keys: 0, key_info: 0 });
});

test('a response\'s auditData is what its entry records as data, on every device; the client is rendered data, never auditData', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ seq: i, record: { request: { id: `r${i}`, path: 'sys/journal/records' } } }));
  const input = deepFreeze({
    request: { id: 'j1', operation: 'read', path: 'sys/journal/records', data: {}, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 },
    operation: 'read', timeNs: TIME_NS,
    response: { data: { records, next_cursor: 'c1' }, auditData: { records: { count: 50, seqs: records.map((r) => r.seq) }, next_cursor: 'c1' } },
  } as AuditInput);
  const before = snapshot(input);
  const seqs = JSON.stringify(records.map((r) => r.seq));
  for (const elide of [true, false]) assert.equal(run(input, elide), `{"data":{"next_cursor":"c1","records":{"count":50,"seqs":${seqs}}}}`);
  const hashing = memorySink();
  const d = createAuditDevice({ path: 'h/', type: 'memory', description: '', options: {}, local: false, salt: 'foo' }, parseCommonOptions({}, { allowAuditLogPrefixing: false }), hashing);
  void d.process(input, 'response');
  assert.match(hashing.lines[0], new RegExp(`"data":\\{"next_cursor":"hmac-sha256:[0-9a-f]{64}","records":\\{"count":50,"seqs":${seqs.replace(/[[\]]/g, '\\$&')}\\}\\}`));
  assert.doesNotMatch(hashing.lines[0], /"record"/);
  assert.equal(snapshot(input), before);
  const reply = JSON.parse(String(renderVaultResponse('j1', 'sys/journal/records', input.response!).body));
  assert.deepEqual(reply.data, { records, next_cursor: 'c1' });
  assert.ok(!String(renderVaultResponse('j1', 'sys/journal/records', input.response!).body).includes('seqs'));
});
