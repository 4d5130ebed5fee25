import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderVaultResponse } from '../../src/server/vault-response.js';

const body = (path: string, data: Record<string, unknown>) => JSON.parse(String(renderVaultResponse('req-1', path, { data }).body)) as Record<string, unknown>;

test('sys/ answers copy their data to the top level, as Vault\'s legacy sys endpoints are read; the envelope\'s own fields win', () => {
  const rekey = body('sys/rekey/update', { complete: true, keys: ['k1'], nonce: 'n' });
  assert.deepEqual([rekey.complete, rekey.keys, rekey.nonce], [true, ['k1'], 'n']);
  assert.deepEqual(rekey.data, { complete: true, keys: ['k1'], nonce: 'n' });
  assert.equal(body('sys/mounts', { request_id: 'forged' }).request_id, 'req-1');
  assert.equal(body('sys/journalist', { x: 1 }).x, 1, 'only the paths themselves are Sealtrail\'s own');
  assert.equal(body('secret/data/app', { x: 1 }).x, undefined, 'not a sys/ path');
  assert.equal(body('sys/wrapping/unwrap', { x: 1 }).x, undefined, 'an unwrapped answer is another path\'s');
});

test('Sealtrail\'s own sys/ paths (journal, ledger, trails) carry their data once, under data', () => {
  const page = { records: [{ seq: 0, record: { big: 'x'.repeat(1000) } }], next_cursor: null };
  for (const [path, data] of [
    ['sys/journal/records', page],
    ['sys/journal/timeline', { groups: [], truncated: false, next_since: null }],
    ['sys/ledger/key', { verifier_key: 'k', origin: 'o' }],
    ['sys/ledger/proof/inclusion', { index: 1, size: 2, hashes: ['h'] }],
    ['sys/trails', { keys: ['main'], key_info: {} }],
    ['sys/trails/main/deliver', { log_files: [], digest_file: null }],
  ] as const) {
    const b = body(path, data);
    assert.deepEqual(b.data, data, path);
    assert.deepEqual(Object.keys(b), ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth', 'mount_type'], path);
  }
  const text = String(renderVaultResponse('req-1', 'sys/journal/records', { data: page }).body);
  assert.equal(text.split('x'.repeat(1000)).length - 1, 1, 'the records are sent once');
});
