import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvBackend } from '../../../src/secrets/kv/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';
import { T0_MS, harness, mount, request } from './helpers.js';

test('concurrent writes to one secret get distinct versions', async () => {
  const h = await harness();
  const results = await Promise.all([1, 2, 3, 4].map((v) => h.write('race', { v })));
  assert.deepEqual(results.map((r) => r?.data?.version).sort(), [1, 2, 3, 4]);
  assert.equal((await h.call('read', 'metadata/race'))?.data?.current_version, 4);
});

test('of two concurrent cas=0 writes exactly one wins', async () => {
  const h = await harness();
  const outcomes = await Promise.allSettled([h.write('once', { v: 1 }, { cas: 0 }), h.write('once', { v: 2 }, { cas: 0 })]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
});

test('storage is read once per record: config once per mount, what a write wrote never again', async () => {
  const inner = createMemoryStorage();
  const gets: string[] = [];
  const counting: Storage = { ...inner, get: (key) => { gets.push(key); return inner.get(key); } };
  const backend = await kvBackend({ mount, storage: counting, clock: manualClock(T0_MS) });
  await backend.handleRequest(request('update', 'data/a', { data: { k: 'v' } }));
  await backend.handleRequest(request('update', 'data/a', { data: { k: 'w' } }));
  // The first write finds no metadata; the second uses what the first wrote.
  assert.deepEqual(gets, ['config', 'metadata/a']);
  gets.length = 0;
  assert.deepEqual((await backend.handleRequest(request('read', 'data/a')))?.data?.data, { k: 'w' });
  assert.deepEqual(gets, []);
  // A cold store (a new backend over the same storage) reads one metadata and one version.
  const cold = await kvBackend({ mount, storage: counting, clock: manualClock(T0_MS) });
  gets.length = 0;
  await cold.handleRequest(request('read', 'data/a'));
  assert.deepEqual(gets, ['metadata/a', 'versions/a/2']);
});

test('the request data is never mutated', async () => {
  const h = await harness();
  const body = { data: { b: 1, a: { d: 2, c: 3 } }, options: { cas: 0 } };
  const copy = structuredClone(body);
  await h.call('update', 'data/m', body);
  assert.deepEqual(body, copy);
  assert.deepEqual(Object.keys(body.data), ['b', 'a']);
});
