import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInFlightLimit, type InFlightSlot } from '../../src/lib/in-flight-limit.js';

const slotOf = (taken: InFlightSlot | string): InFlightSlot => {
  assert.equal(typeof taken, 'object', `refused: ${String(taken)}`);
  return taken as InFlightSlot;
};

test('a key gets perKey slots, then is refused while other keys still get theirs', () => {
  const limit = createInFlightLimit({ total: 10, perKey: 2 });
  slotOf(limit.take('a'));
  slotOf(limit.take('a'));
  assert.equal(limit.take('a'), 'key');
  slotOf(limit.take('b'));
  assert.equal(limit.inFlight, 3);
});

test('past total every key is refused, the ones holding nothing too', () => {
  const limit = createInFlightLimit({ total: 3, perKey: 2 });
  slotOf(limit.take('a'));
  slotOf(limit.take('b'));
  const last = slotOf(limit.take('c'));
  assert.equal(limit.take('d'), 'server');
  assert.equal(limit.take('a'), 'server');
  last.release();
  slotOf(limit.take('d'));
});

test('a released slot comes back once, however often it is released', () => {
  const limit = createInFlightLimit({ total: 2, perKey: 1 });
  const held = slotOf(limit.take('a'));
  assert.equal(limit.take('a'), 'key');
  held.release();
  held.release();
  assert.equal(limit.inFlight, 0);
  slotOf(limit.take('a'));
  slotOf(limit.take('b'));
  assert.equal(limit.take('c'), 'server');
  assert.equal(limit.inFlight, 2);
});

test('keys holding no slot are forgotten', () => {
  const limit = createInFlightLimit({ total: 100_000, perKey: 1 });
  for (let i = 0; i < 50_000; i++) slotOf(limit.take(`k${i}`)).release();
  assert.equal(limit.inFlight, 0);
  assert.equal(limit.keys, 0);
});

test('limits must be positive whole numbers', () => {
  assert.throws(() => createInFlightLimit({ total: 0, perKey: 1 }), RangeError);
  assert.throws(() => createInFlightLimit({ total: 4, perKey: 1.5 }), RangeError);
});
