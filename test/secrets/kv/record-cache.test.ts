import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepFrozen } from '../../../src/lib/immutable.js';
import { deleteVersionOp, kvStore, MAX_CACHED_RECORD_BYTES, putMetadataOp, putVersionOp } from '../../../src/secrets/kv/store.js';
import { emptyMetadata } from '../../../src/secrets/kv/model.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';

test('KV records are read once, shared frozen, and replaced by every commit that writes them', async () => {
  const storage = createMemoryStorage();
  let gets = 0;
  const counting: Storage = { ...storage, get: (key) => { gets++; return storage.get(key); } };
  await storage.transaction([putVersionOp('app', 1, { password: 'one' })]);
  const store = kvStore(counting);

  const a = await store.versionData('app', 1);
  const b = await store.versionData('app', 1);
  assert.equal(a, b);
  assert.equal(gets, 1);
  assert.ok(a && isDeepFrozen(a));
  assert.throws(() => { (a as Record<string, unknown>).password = 'changed'; }, TypeError);

  // Write-through: what a commit wrote is served without reading it back, frozen like a read.
  await store.commit([putVersionOp('app', 1, { password: 'two' })]);
  const c = await store.versionData('app', 1);
  assert.deepEqual(c, { password: 'two' });
  assert.ok(c && isDeepFrozen(c));
  assert.equal(gets, 1);

  // Misses are cached too, until a commit creates the record.
  assert.equal(await store.metadata('app'), undefined);
  assert.equal(await store.metadata('app'), undefined);
  assert.equal(gets, 2);
  await store.commit([putMetadataOp('app', emptyMetadata(1n))]);
  assert.equal((await store.metadata('app'))?.currentVersion, 0);

  // A delete leaves a miss to be read again.
  await store.commit([deleteVersionOp('app', 1)]);
  assert.equal(await store.versionData('app', 1), undefined);
  assert.equal(gets, 3);
});

test('a commit that fails forgets the keys it touched instead of caching what it meant to write', async () => {
  const storage = createMemoryStorage();
  let failing = false;
  const flaky: Storage = { ...storage, transaction: (ops) => (failing ? Promise.reject(new Error('disk full')) : storage.transaction(ops)) };
  const store = kvStore(flaky);
  await store.commit([putVersionOp('app', 1, { v: 'kept' })]);
  failing = true;
  await assert.rejects(store.commit([putVersionOp('app', 1, { v: 'lost' })]), /disk full/);
  failing = false;
  assert.deepEqual(await store.versionData('app', 1), { v: 'kept' });
});

test('a read that raced a commit is not cached', async () => {
  const storage = createMemoryStorage();
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let slow = true;
  const gated: Storage = { ...storage, get: async (key) => { const v = await storage.get(key); if (slow) { slow = false; await gate; } return v; } };
  const store = kvStore(gated);
  await storage.transaction([putVersionOp('app', 1, { v: 'old' })]);
  const racing = store.versionData('app', 1); // reads "old", then waits
  await store.commit([putVersionOp('app', 1, { v: 'new' })]);
  release();
  assert.deepEqual(await racing, { v: 'old' });
  assert.deepEqual(await store.versionData('app', 1), { v: 'new' });
});

test('a KV record over the largest cached size is read from storage every time, written or read', async () => {
  const storage = createMemoryStorage();
  let gets = 0;
  const counting: Storage = { ...storage, get: (key) => { gets++; return storage.get(key); } };
  const store = kvStore(counting);
  const big = { blob: 'x'.repeat(MAX_CACHED_RECORD_BYTES) };
  await store.commit([putVersionOp('big', 1, big)]);
  assert.equal((await store.versionData('big', 1))?.blob, big.blob);
  assert.equal((await store.versionData('big', 1))?.blob, big.blob);
  assert.equal(gets, 2, 'neither the write nor the reads kept it');
  await store.commit([putVersionOp('small', 1, { k: 'v' })]);
  await store.versionData('small', 1);
  assert.equal(gets, 2, 'a small record is still kept');
});
