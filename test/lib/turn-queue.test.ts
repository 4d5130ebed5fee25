import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTurnQueue } from '../../src/lib/turn-queue.js';

const takeAll = <T>(q: { take(): T | undefined }) => {
  const out: T[] = [];
  for (let item = q.take(); item !== undefined; item = q.take()) out.push(item);
  return out;
};

test('owners are served in turn, each owner\'s items in arrival order', () => {
  const q = createTurnQueue<string>();
  for (const item of ['a1', 'a2', 'a3', 'a4']) q.push('a', item);
  q.push('b', 'b1');
  q.push('c', 'c1');
  q.push('b', 'b2');
  assert.equal(q.size, 7);
  assert.deepEqual(takeAll(q), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  assert.equal(q.size, 0);
});

test('the owner just served waits behind one that arrives after it was taken', () => {
  const q = createTurnQueue<string>();
  q.push('a', 'a1');
  q.push('a', 'a2');
  assert.equal(q.take(), 'a1');
  q.push('b', 'b1');
  assert.deepEqual(takeAll(q), ['b1', 'a2']);
});

test('an item that gave up waiting is removed once; drain returns what is left', () => {
  const q = createTurnQueue<string>();
  q.push('a', 'a1');
  q.push('b', 'b1');
  q.push('b', 'b2');
  assert.equal(q.remove('b', 'b1'), true);
  assert.equal(q.remove('b', 'b1'), false);
  assert.equal(q.remove('c', 'x'), false);
  assert.equal(q.size, 2);
  assert.deepEqual(q.drain().sort(), ['a1', 'b2']);
  assert.equal(q.size, 0);
  assert.equal(q.take(), undefined);
});
