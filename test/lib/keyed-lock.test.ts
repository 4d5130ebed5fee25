import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSerializer, keyedLock } from '../../src/lib/keyed-lock.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('keyedLock runs one key\'s work in call order, one at a time, while other keys proceed', async () => {
  const lock = keyedLock();
  const events: string[] = [];
  let running = 0;
  const work = (name: string, ticks: number) => async () => {
    running++;
    assert.equal(running <= 2, true); // at most one per key, two keys
    events.push(`start ${name}`);
    for (let i = 0; i < ticks; i++) await tick();
    events.push(`end ${name}`);
    running--;
    return name;
  };
  const results = await Promise.all([
    lock('a', work('a1', 3)), lock('a', work('a2', 1)), lock('b', work('b1', 1)), lock('a', work('a3', 0)),
  ]);
  assert.deepEqual(results, ['a1', 'a2', 'b1', 'a3']);
  const a = events.filter((e) => e.endsWith('a1') || e.endsWith('a2') || e.endsWith('a3'));
  assert.deepEqual(a, ['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
  // b did not wait for a's queue.
  assert.ok(events.indexOf('end b1') < events.indexOf('end a1'));
});

test('keyedLock: a failure reaches only its caller and the next piece of work still runs', async () => {
  const lock = keyedLock();
  const order: string[] = [];
  const failing = lock('k', async () => { order.push('fail'); throw new Error('boom'); });
  const throwingSync = lock('k', () => { order.push('sync'); throw new Error('sync boom'); });
  const next = lock('k', async () => { order.push('next'); return 42; });
  await assert.rejects(failing, /boom/);
  await assert.rejects(throwingSync, /sync boom/);
  assert.equal(await next, 42);
  assert.deepEqual(order, ['fail', 'sync', 'next']);
});

test('keyedLock forgets a key when its queue drains, so the map stays empty after', async () => {
  const lock = keyedLock();
  const pending = [];
  for (let i = 0; i < 100; i++) pending.push(lock(`key-${i % 10}`, async () => { await tick(); if (i % 3 === 0) throw new Error('x'); return i; }));
  assert.equal(lock.size, 10);
  await Promise.allSettled(pending);
  assert.equal(lock.size, 0);
  // Dropped before the last caller resumes, not some ticks later.
  await lock('solo', async () => undefined);
  assert.equal(lock.size, 0);
});

test('createSerializer runs everything in call order, surviving failures', async () => {
  const serial = createSerializer();
  const order: number[] = [];
  const runs = [3, 0, 2].map((ticks, i) => serial(async () => {
    for (let t = 0; t < ticks; t++) await tick();
    order.push(i);
    if (i === 1) throw new Error('middle');
    return i;
  }));
  const settled = await Promise.allSettled(runs);
  assert.deepEqual(order, [0, 1, 2]);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
});
