import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedStorage } from '../../src/storage/cache.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { storageContract } from './conformance.js';

storageContract('cached memory', async () => cachedStorage(createMemoryStorage(), 8), { atomicTransactions: true });
storageContract('cached sqlite', async () => cachedStorage(createSqliteStorage({ path: ':memory:' }), 8), { atomicTransactions: true });

test('cache: hits skip the backend, writes invalidate, the size stays bounded, a failed write leaves no stale value', async () => {
  const backend = createMemoryStorage();
  let gets = 0;
  const counted = { ...backend, get: (k: string) => { gets++; return backend.get(k); } };
  const s = cachedStorage(counted, 2);
  await s.put('a', Buffer.from('1'));
  assert.equal(Buffer.from((await s.get('a'))!).toString(), '1');
  assert.equal(gets, 0, 'a put fills the cache');
  assert.equal(await s.get('missing'), undefined);
  assert.equal(await s.get('missing'), undefined);
  assert.equal(gets, 1, 'misses are cached too');
  await s.put('b', Buffer.from('2'));
  await s.put('c', Buffer.from('3'));
  assert.ok(s.cached <= 2);
  await backend.put('a', Buffer.from('changed behind the cache'));
  assert.equal(Buffer.from((await s.get('a'))!).toString(), 'changed behind the cache', 'evicted keys are read again');
  await s.transaction([{ op: 'put', key: 'b', value: Buffer.from('22') }, { op: 'delete', key: 'c' }]);
  assert.equal(Buffer.from((await s.get('b'))!).toString(), '22');
  assert.equal(await s.get('c'), undefined);

  const failing = cachedStorage({ ...backend, put: async () => { throw new Error('disk full'); } }, 4);
  await failing.get('a');
  await assert.rejects(failing.put('a', Buffer.from('new')), /disk full/);
  assert.equal(Buffer.from((await failing.get('a'))!).toString(), 'changed behind the cache');
});
