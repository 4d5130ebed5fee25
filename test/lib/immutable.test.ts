import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze, isDeepFrozen } from '../../src/lib/immutable.js';

test('deepFreeze freezes every nested map and list and marks them', () => {
  const value = deepFreeze({ a: { b: [1, { c: 'x' }] }, d: null });
  for (const v of [value, value.a, value.a.b, value.a.b[1] as object]) {
    assert.ok(Object.isFrozen(v));
    assert.ok(isDeepFrozen(v));
  }
  assert.throws(() => { (value.a.b[1] as { c: string }).c = 'y'; }, TypeError);
});

test('a merely frozen object is not deeply frozen (its children could still change)', () => {
  const shallow = Object.freeze({ inner: { x: 1 } });
  assert.equal(isDeepFrozen(shallow), false);
  assert.equal(isDeepFrozen({}), false);
});

test('only JSON values can be frozen: bytes, dates and class instances are refused', () => {
  for (const bad of [{ b: new Uint8Array(2) }, { d: new Date(0) }, { m: new Map() }]) {
    assert.throws(() => deepFreeze(bad), /only plain objects, arrays and JSON scalars/);
  }
});
