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

/** CLOCK as written out plainly (a scan from the map's front at every eviction): the reference. */
class ReferenceClock<K> {
  readonly map = new Map<K, boolean>();
  constructor(private readonly limit: number) {}
  get(key: K): boolean { if (!this.map.has(key)) return false; this.map.set(key, true); return true; }
  set(key: K): void {
    if (this.map.has(key)) { this.map.set(key, true); return; }
    while (this.map.size >= this.limit) {
      const [k, used] = this.map.entries().next().value as [K, boolean];
      this.map.delete(k);
      if (!used) break;
      this.map.set(k, false);
    }
    this.map.set(key, false);
  }
  delete(key: K): void { this.map.delete(key); }
}

test('evictions resume where the last one stopped and still choose what CLOCK chooses, through deletes and clears', () => {
  let seed = 7;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const limit of [1, 2, 5, 50]) {
    const lru = new LruMap<number, number>(limit);
    const ref = new ReferenceClock<number>(limit);
    for (let i = 0; i < 20_000; i++) {
      const key = random(limit * 3);
      const op = random(100);
      if (op < 45) assert.equal(lru.get(key) !== undefined, ref.get(key));
      else if (op < 90) { lru.set(key, i); ref.set(key); }
      else if (op < 99) { lru.delete(key); ref.delete(key); }
      else if (random(20) === 0) { lru.clear(); ref.map.clear(); }
      assert.equal(lru.size, ref.map.size);
    }
    const kept = [...ref.map.keys()].sort((a, b) => a - b);
    assert.deepEqual(Array.from({ length: limit * 3 }, (_, k) => k).filter((k) => lru.get(k) !== undefined), kept);
  }
});

test('with a maxWeight, the entries held weigh at most that together; one heavier than all of it is not kept', () => {
  const lru = new LruMap<string, string>(100, 10);
  lru.set('a', 'x', 4);
  lru.set('b', 'x', 4);
  assert.equal(lru.weight, 8);
  lru.set('c', 'x', 4); // over 10: the oldest unused goes
  assert.equal(lru.get('a'), undefined);
  assert.equal(lru.weight, 8);
  lru.get('b');
  lru.set('d', 'x', 6); // b was used: c goes first, then b if still needed
  assert.ok(lru.weight <= 10, `weight ${lru.weight}`);
  assert.equal(lru.get('d'), 'x');
  lru.set('d', 'y', 2); // lighter in place
  assert.equal(lru.get('d'), 'y');
  lru.set('e', 'huge', 11);
  assert.equal(lru.get('e'), undefined, 'heavier than the budget: not kept');
  lru.set('d', 'huge', 11);
  assert.equal(lru.get('d'), undefined, 'a value replaced by one too heavy is forgotten, not kept stale');
  lru.delete('b');
  lru.clear();
  assert.equal(lru.weight, 0);
  // Churn: the total always matches the entries held.
  const churn = new LruMap<number, number>(50, 1000);
  for (let i = 0; i < 5000; i++) {
    const k = i % 97;
    const w = (i * 37) % 120;
    churn.set(k, w, w);
    if (i % 7 === 0) churn.delete((i * 13) % 97);
    if (i % 3 === 0) churn.get((i * 5) % 97);
    assert.ok(churn.weight <= 1000 && churn.size <= 50);
  }
  let sum = 0;
  for (let k = 0; k < 97; k++) { const v = churn.get(k); if (v !== undefined) sum += v; }
  assert.equal(churn.weight, sum, 'the weight is the sum of what is held');
});
