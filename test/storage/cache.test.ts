import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedStorage, DEFAULT_CACHE_BYTES, MAX_CACHED_VALUE_BYTES } from '../../src/storage/cache.js';
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

/** A backend whose calls resolve when the test says, in any order (as PostgreSQL's pool can). */
function heldBackend() {
  const inner = createMemoryStorage();
  const held: Array<{ what: string; release: () => void }> = [];
  const hold = <T>(what: string, run: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => { held.push({ what, release: () => { run().then(resolve, reject); } }); });
  const backend = {
    ...inner,
    get: (k: string) => {
      // The read sees the backend as it is now; its answer arrives when released.
      const seen = inner.get(k);
      return hold(`get ${k}`, () => seen);
    },
    put: (k: string, v: Uint8Array) => hold(`put ${k}`, () => inner.put(k, v)),
    delete: (k: string) => hold(`delete ${k}`, () => inner.delete(k)),
  };
  const release = async (what: string, which: 'first' | 'last' = 'first') => {
    const matching = held.flatMap((h, at) => (h.what === what ? [at] : []));
    const i = (which === 'first' ? matching[0] : matching.at(-1)) ?? -1;
    assert.ok(i >= 0, `${what} is in flight`);
    held.splice(i, 1)[0]!.release();
    await new Promise((r) => setImmediate(r));
  };
  /** A call's answer, releasing what it waits for in the backend, if anything. */
  const answered = async <T>(call: Promise<T>): Promise<T> => {
    await new Promise((r) => setImmediate(r));
    while (held.length > 0) await release(held[0]!.what);
    return call;
  };
  return { inner, backend, release, answered };
}

const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());

test('cache: a read answered after a delete of its key does not put the deleted value back', async () => {
  const { inner, backend, release, answered } = heldBackend();
  await inner.put('token', Buffer.from('live'));
  const s = cachedStorage(backend, 8);
  const read = s.get('token'); // read from the backend before the delete commits...
  const deleted = s.delete('token');
  await release('delete token');
  await deleted;
  await release('get token'); // ...answered after it
  assert.equal(text(await read), 'live', 'the read itself answers what it read');
  assert.equal(await answered(s.get('token')), undefined, 'the deleted record is not served from the cache');
});

test('cache: a read begun while a delete of its key is in flight and answered after it is not remembered', async () => {
  const { inner, backend, release, answered } = heldBackend();
  await inner.put('token', Buffer.from('live'));
  const s = cachedStorage(backend, 8);
  const deleted = s.delete('token');
  const read = s.get('token'); // sent on another connection before the delete commits...
  await release('delete token');
  await deleted;
  await release('get token'); // ...and answered after it, with the row it saw
  assert.equal(text(await read), 'live');
  assert.equal(await answered(s.get('token')), undefined, 'the deleted record is not served from the cache');
});

test('cache: a read that ends while a write of its key is in flight is not remembered, so a failed write leaves the key uncached', async () => {
  const { inner, backend, release, answered } = heldBackend();
  await inner.put('k', Buffer.from('old'));
  // A commit whose answer is lost (a connection dropped after COMMIT): applied, reported failed.
  const s = cachedStorage({ ...backend, put: async (k, v) => { await backend.put(k, v); throw new Error('connection terminated'); } }, 8);
  const putFails = assert.rejects(s.put('k', Buffer.from('new')), /connection terminated/);
  const read = s.get('k');
  await release('get k');
  assert.equal(text(await read), 'old');
  await release('put k');
  await putFails;
  assert.equal(text(await answered(s.get('k'))), 'new', 'read from the backend: what the read saw before the write is not remembered');
});

test('cache: of two writes of one key, the earlier one answering last does not fill the cache', async () => {
  const { inner, backend, release, answered } = heldBackend();
  const s = cachedStorage(backend, 8);
  const first = s.put('k', Buffer.from('first'));
  const second = s.put('k', Buffer.from('second'));
  await release('put k', 'last'); // the later write commits and answers...
  await release('put k'); // ...then the earlier one answers, its commit overtaken
  await inner.put('k', Buffer.from('second')); // the backend applied them in the order begun
  await Promise.all([first, second]);
  assert.equal(text(await answered(s.get('k'))), 'second', 'read from the backend, not the earlier write remembered');
});

test('cache: bounded in bytes as well as entries; a value over the largest cached size is read every time', async () => {
  const backend = createMemoryStorage();
  let gets = 0;
  const counted = { ...backend, get: (k: string) => { gets++; return backend.get(k); } };
  const s = cachedStorage(counted, 4096, 4 * 1024 * 1024);
  // Forty values of 512 KiB (20 MiB) written and read: at most 4 MiB of them held.
  for (let i = 0; i < 40; i++) {
    await s.put(`v${i}`, Buffer.alloc(512 * 1024, i));
    await s.get(`v${i}`);
    assert.ok(s.cachedBytes <= 4 * 1024 * 1024, `${s.cachedBytes} bytes held`);
  }
  assert.ok(s.cached <= 8);
  // Over MAX_CACHED_VALUE_BYTES: never held, each read goes to the backend.
  await s.put('big', Buffer.alloc(MAX_CACHED_VALUE_BYTES + 1));
  gets = 0;
  await s.get('big');
  await s.get('big');
  assert.equal(gets, 2);
  assert.equal((await s.get('big'))?.byteLength, MAX_CACHED_VALUE_BYTES + 1);
  // The default budget holds.
  const d = cachedStorage(createMemoryStorage());
  for (let i = 0; i < 80; i++) await d.put(`v${i}`, Buffer.alloc(MAX_CACHED_VALUE_BYTES));
  assert.ok(d.cachedBytes <= DEFAULT_CACHE_BYTES, `${d.cachedBytes} bytes held by default`);
});

test('cache: putIfAbsent remembers what the backend holds, not the value offered', async () => {
  const backend = createMemoryStorage();
  const s = cachedStorage(backend, 4);
  assert.equal(await s.get('id'), undefined);
  await backend.put('id', Buffer.from('stored by another node'));
  assert.equal(Buffer.from(await s.putIfAbsent('id', Buffer.from('mine'))).toString(), 'stored by another node');
  assert.equal(Buffer.from((await s.get('id'))!).toString(), 'stored by another node');
  await assert.rejects(cachedStorage({ ...backend, putIfAbsent: async () => { throw new Error('disk full'); } }).putIfAbsent('x', Buffer.from('v')), /disk full/);
});
