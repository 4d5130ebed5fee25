import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyStore } from '../../../src/kms/keys/store.js';
import type { KmsServices } from '../../../src/kms/operations/context.js';
import { KMS_OPERATIONS } from '../../../src/kms/operations/registry.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/index.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const CAPACITY = 4;
const KEYS = CAPACITY + 6;

test('the KMS key cache stays within its capacity and a forgotten key is read back from storage', async () => {
  const memory = createMemoryStorage();
  let keyReads = 0;
  const storage: Storage = {
    get: (key) => { if (key.startsWith('keys/')) keyReads++; return memory.get(key); },
    put: (key, value) => memory.put(key, value),
    delete: (key) => memory.delete(key),
    list: (prefix) => memory.list(prefix),
    transaction: (ops) => memory.transaction(ops),
  };
  const keys = createKeyStore(storage, CAPACITY);
  const clock = manualClock(Date.UTC(2025, 0, 1));
  const svc: KmsServices = {
    keys, location: { accountId: '111122223333', region: 'us-east-1' }, clock, recipient: { trustedRoots: () => [], clock },
    users: { find: async (name) => (name === 'alice' ? { name, principalId: 'AIDAALICE' } : undefined) },
  };
  const call = (op: string, body: Record<string, unknown>) =>
    KMS_OPERATIONS[op].handler({ body, principalArn: ALICE, principalId: 'AIDAALICE', notes: { resources: [] }, requestConditions: {}, requestAliases: new Map() }, svc) as Promise<Record<string, any>>;

  const sealed: { keyId: string; blob: string; plaintext: string }[] = [];
  for (let i = 0; i < KEYS; i++) {
    const { KeyMetadata } = await call('CreateKey', {});
    const plaintext = Buffer.from(`secret number ${i}`).toString('base64');
    const { CiphertextBlob } = await call('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: plaintext });
    sealed.push({ keyId: KeyMetadata.KeyId, blob: CiphertextBlob, plaintext });
    assert.ok(keys.cached <= CAPACITY, `cached ${keys.cached} after ${i + 1} keys`);
  }
  assert.equal(keys.cached, CAPACITY);

  const readsBefore = keyReads;
  for (const { keyId, blob, plaintext } of sealed) {
    const out = await call('Decrypt', { CiphertextBlob: blob });
    assert.equal(out.KeyId.endsWith(keyId), true);
    assert.equal(out.Plaintext, plaintext);
  }
  // The first keys were evicted, so decrypting with them went back to storage.
  assert.ok(keyReads - readsBefore >= KEYS - CAPACITY, `reads ${keyReads - readsBefore}`);
  assert.ok(keys.cached <= CAPACITY);
});

test('a key record read before its removal and answered after it does not come back from the cache', async () => {
  const memory = createMemoryStorage();
  const record = { keyId: 'k1', state: 'Enabled' } as unknown as Parameters<ReturnType<typeof createKeyStore>['create']>[0];
  await memory.put('keys/k1', Buffer.from(JSON.stringify(record)));
  // Reads of keys/ answer when released, as a database pool can answer after a later write.
  const held: Array<() => void> = [];
  const storage: Storage = {
    get: (key) => {
      const seen = memory.get(key);
      return key.startsWith('keys/') ? new Promise((resolve) => { held.push(() => resolve(seen)); }) : seen;
    },
    put: (key, value) => memory.put(key, value),
    delete: (key) => memory.delete(key),
    list: (prefix) => memory.list(prefix),
    transaction: (ops) => memory.transaction(ops),
  };
  const keys = createKeyStore(storage, CAPACITY);
  const read = keys.get('k1');
  await keys.remove('k1');
  held.shift()!();
  assert.equal((await read)?.keyId, 'k1', 'the read answers what it read');
  const again = keys.get('k1');
  await new Promise((r) => setImmediate(r));
  held.shift()?.();
  assert.equal(await again, undefined, 'the removed key is not served from the cache');
});

test('a key record read during its removal, answered before the removal ends, does not stay in the cache', async () => {
  const memory = createMemoryStorage();
  await memory.put('keys/k1', Buffer.from(JSON.stringify({ keyId: 'k1', state: 'Enabled' })));
  let finishDelete!: () => void;
  const storage: Storage = {
    get: (key) => memory.get(key),
    put: (key, value) => memory.put(key, value),
    // The delete commits at once but its answer is held: reads meanwhile still see the row here.
    delete: (key) => new Promise((resolve) => { finishDelete = () => { void memory.delete(key).then(resolve); }; }),
    list: (prefix) => memory.list(prefix),
    transaction: (ops) => memory.transaction(ops),
  };
  const keys = createKeyStore(storage, CAPACITY);
  const removed = keys.remove('k1');
  await new Promise((r) => setImmediate(r));
  assert.equal((await keys.get('k1'))?.keyId, 'k1', 'read while the removal is in flight');
  finishDelete();
  await removed;
  assert.equal(await keys.get('k1'), undefined, 'the removed key is not served from the cache');
});
