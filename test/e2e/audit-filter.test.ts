/**
 * Audit filters as Vault's docs write them, through the real server: an unquoted bexpr filter is
 * accepted at enable and its device keeps exactly the matching entries; a bad filter is a 400
 * naming the offset, and a device is not enabled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
const lines = (name: string) => readFileSync(join(server.dir, name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

test('filter "mount_type == kv and operation == read" keeps only KV reads (not even the test entry)', async () => {
  const enable = await api('PUT', 'sys/audit/kv-reads', {
    type: 'file',
    options: { file_path: join(server.dir, 'kv-reads.log'), filter: 'mount_type == kv and operation == read' },
  });
  assert.equal(enable.status, 204, enable.text);
  assert.equal((await api('GET', 'sys/audit')).json.data['kv-reads/'].options.filter, 'mount_type == kv and operation == read');

  assert.equal((await api('POST', 'secret/data/filtered', { data: { v: 1 } })).status, 200);
  const read = await api('GET', 'secret/data/filtered');
  assert.equal(read.status, 200);
  assert.equal((await api('GET', 'sys/mounts')).status, 200);

  const entries = lines('kv-reads.log');
  assert.deepEqual(entries.map((e) => [e.type, e.request.operation, e.request.path, e.request.mount_type]), [
    ['request', 'read', 'secret/data/filtered', 'kv'],
    ['response', 'read', 'secret/data/filtered', 'kv'],
  ]);
});

test('a bad filter is refused with 400 naming the offset, and no device is enabled', async () => {
  for (const [filter, message] of [
    ['mount_type == kv-v2', 'invalid audit filter at offset 16: unexpected character "-" (quote values containing it)'],
    ['path matches `(a)\\1`', 'invalid audit filter at offset 13: regular expression cannot be matched in linear time (no backreferences, lookaround or counted repetition over 16)'],
  ]) {
    const res = await api('PUT', 'sys/audit/bad', { type: 'file', options: { file_path: join(server.dir, 'bad.log'), filter } });
    assert.equal(res.status, 400, filter);
    assert.deepEqual(res.json.errors, [message]);
  }
  assert.equal((await api('GET', 'sys/audit')).json.data['bad/'], undefined);
});
