import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruMap } from '../../src/lib/lru.js';

test('LruMap keeps at most its limit, evicting entries not used since they were last considered', () => {
  const lru = new LruMap<string, number>(3);
  lru.set('a', 1);
  lru.set('b', 2);
  lru.set('c', 3);
  assert.equal(lru.get('a'), 1); // a gets a second chance
  lru.set('d', 4); // b is the oldest entry not used
  assert.equal(lru.size, 3);
  assert.equal(lru.get('b'), undefined);
  assert.deepEqual(['c', 'a', 'd'].map((k) => lru.get(k)), [3, 1, 4]);
  lru.set('e', 5); // all used: one lap clears their flags, then the oldest (c) goes
  assert.equal(lru.size, 3);
  assert.equal(lru.get('c'), undefined);
  assert.deepEqual(['a', 'd', 'e'].map((k) => lru.get(k)), [1, 4, 5]);
});

test('LruMap updates in place, deletes and clears', () => {
  const lru = new LruMap<string, string>(2);
  lru.set('k', 'v1');
  lru.set('k', 'v2');
  assert.equal(lru.size, 1);
  assert.equal(lru.get('k'), 'v2');
  lru.delete('k');
  assert.equal(lru.get('k'), undefined);
  lru.set('x', 'y');
  lru.clear();
  assert.equal(lru.size, 0);
  assert.throws(() => new LruMap(0), RangeError);
});

test('a hot key survives any number of one-off keys streaming past', () => {
  const lru = new LruMap<string, number>(100);
  lru.set('hot', 0);
  for (let i = 0; i < 10_000; i++) {
    assert.equal(lru.get('hot'), 0);
    lru.set(`cold-${i}`, i);
    assert.ok(lru.size <= 100);
  }
});
