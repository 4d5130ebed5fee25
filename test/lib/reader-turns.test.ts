import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asReader, createTurns } from '../../src/lib/reader-turns.js';

const later = () => new Promise((resolve) => setImmediate(resolve));

test('turns: at most `places` at once, waiting work started one reader at a time, each reader\'s in order', async () => {
  const turns = createTurns(1, 10_000, () => new Error('timed out'));
  const started: string[] = [];
  const job = (reader: string, name: string) => asReader(reader, () => turns.run(async () => { started.push(name); await later(); }));
  await Promise.all([job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('b', 'b1'), job('c', 'c1'), job('b', 'b2'), job('', 'none')]);
  assert.deepEqual(started, ['a1', 'b1', 'c1', 'none', 'a2', 'b2', 'a3']);
});

test('turns: work that cannot start in time fails, and leaves its place to the next', async () => {
  const turns = createTurns(1, 50, () => new Error('timed out'));
  let release!: () => void;
  const first = turns.run(() => new Promise<void>((resolve) => { release = resolve; }));
  const waiting = asReader('b', () => turns.run(async () => 'ran'));
  await assert.rejects(waiting, /timed out/);
  release();
  await first;
  assert.equal(await asReader('b', () => turns.run(async () => 'ran')), 'ran');
});
