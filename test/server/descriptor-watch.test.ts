import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DESCRIPTOR_MARGIN, watchDescriptors } from '../../src/server/descriptor-watch.js';

/** Runs the watch over `counts`, one per tick, and answers what it logged. */
function logged(counts: Array<number | undefined>, limit: number | undefined): string[] {
  const lines: string[] = [];
  const log = { error: (_: object, msg: string) => lines.push(`error: ${msg}`), info: (_: object, msg: string) => lines.push(`info: ${msg}`) };
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    let i = 0;
    const watch = watchDescriptors(log, { intervalMs: 1000, limit, inUse: () => counts[i++] });
    for (const _ of counts) mock.timers.tick(1000);
    watch.stop();
  } finally {
    mock.timers.reset();
  }
  return lines.map((l) => l.replace(/ \(open files limit.*/, ''));
}

test('an episode is told once when descriptors run out, and once when enough are free again', () => {
  const limit = 256;
  const near = limit - DESCRIPTOR_MARGIN + 1;
  assert.deepEqual(logged([100, near, limit, Infinity, near, limit - DESCRIPTOR_MARGIN - 1, 100, near], limit), [
    'error: out of file descriptors',
    'info: file descriptors are available again: connections are accepted',
    'error: out of file descriptors',
  ]);
});

test('without a known limit only a count that cannot be made tells; without a count nothing is told', () => {
  assert.deepEqual(logged([5000, Infinity, 10], undefined), ['error: out of file descriptors', 'info: file descriptors are available again: connections are accepted']);
  assert.deepEqual(logged([undefined, undefined], 256), []);
});
