import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLineQueue } from '../../../src/audit/devices/line-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('createLineQueue', () => {
  it('sends the lines queued in one turn as one batch, in order', async () => {
    const batches: string[][] = [];
    const queue = createLineQueue(async (lines) => { batches.push([...lines]); await tick(); });
    await Promise.all(['a', 'b', 'c', 'd'].map((l) => queue.push(l)));
    assert.deepEqual(batches, [['a', 'b', 'c', 'd']]);
    assert.equal(queue.queuedLines, 0);
  });

  it('holds a bounded amount behind a flush that does not finish: a line past the bound fails at once and is never written', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => { release = r; });
    let flushing!: () => void;
    const started = new Promise<void>((r) => { flushing = r; });
    const queue = createLineQueue(async (lines) => { batches.push([...lines]); flushing(); await stuck; }, { maxHeldChars: 10 });
    const first = queue.push('abcdef');
    await started;
    const second = queue.push('ghij');
    assert.equal(queue.heldChars, 10, 'the flush in progress and the queued line');
    await assert.rejects(queue.push('x'), /holds 10 characters of lines it has not written yet \(at most 10\)/);
    release();
    await Promise.all([first, second]);
    assert.equal(queue.heldChars, 0);
    // A line over the bound on its own is taken when nothing is held, and nothing joins it.
    const large = queue.push('0123456789AB');
    await assert.rejects(queue.push('y'), /holds 12 characters/);
    await large;
    assert.deepEqual(batches, [['abcdef'], ['ghij'], ['0123456789AB']]);
  });

  it('coalesces lines queued during a flush into the next batch, in order', async () => {
    const batches: string[][] = [];
    let flushing!: () => void;
    const started = new Promise<void>((r) => { flushing = r; });
    const queue = createLineQueue(async (lines) => { batches.push([...lines]); flushing(); await tick(); });
    const first = queue.push('a');
    await started;
    const rest = ['b', 'c', 'd'].map((l) => queue.push(l));
    assert.equal(queue.queuedLines, 3);
    await Promise.all([first, ...rest]);
    assert.deepEqual(batches, [['a'], ['b', 'c', 'd']]);
    assert.equal(queue.queuedLines, 0);
  });

  it('rejects exactly the lines of a failed batch and keeps going', async () => {
    let calls = 0;
    let flushing!: () => void;
    const started = new Promise<void>((r) => { flushing = r; });
    const queue = createLineQueue(async () => { calls++; flushing(); await tick(); if (calls === 2) throw new Error('disk full'); });
    const first = queue.push('a');
    await started;
    const results = await Promise.allSettled([first, ...['b', 'c'].map((l) => queue.push(l))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected']);
    await queue.push('d');
    assert.equal(calls, 3);
  });

  it('runs exclusive operations between the batches queued before and after them', async () => {
    const events: string[] = [];
    const queue = createLineQueue(async (lines) => { events.push(lines.join('')); await tick(); });
    const all = [queue.push('a'), queue.push('b'), queue.exclusive(async () => { events.push('|'); }), queue.push('c')];
    await Promise.all(all);
    assert.deepEqual(events, ['ab', '|', 'c']);
  });

  it('splits batches at maxLines', async () => {
    const batches: number[] = [];
    const queue = createLineQueue(async (lines) => { batches.push(lines.length); await tick(); }, { maxLines: 3 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => queue.push(String(i))));
    assert.deepEqual(batches, [3, 3, 2]);
  });

  it('lingers for more lines when asked, but not past a full batch', async () => {
    const batches: string[][] = [];
    const queue = createLineQueue(async (lines) => { batches.push([...lines]); }, { maxLines: 3, lingerMs: 5000 });
    const started = Date.now();
    await Promise.all(['a', 'b', 'c'].map((l) => queue.push(l)));
    assert.deepEqual(batches, [['a', 'b', 'c']]);
    assert.ok(Date.now() - started < 1000);
  });
});
