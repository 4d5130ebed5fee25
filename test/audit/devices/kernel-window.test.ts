import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKernelWindow, kernelCapacity } from '../../../src/audit/devices/net/kernel-window.js';

test('the entries at risk are those of the batches that end within the last `capacity` bytes', () => {
  const w = createKernelWindow(1000);
  assert.deepEqual(w.atRisk(), { entries: 0, bytes: 0 });
  w.taken(400, 4);
  w.taken(400, 2);
  assert.deepEqual(w.atRisk(), { entries: 6, bytes: 800 });
  w.taken(400, 1); // 1200 taken: the first batch straddles the window's start, so it still counts
  assert.deepEqual(w.atRisk(), { entries: 7, bytes: 1000 });
  w.taken(300, 5); // 1500: the first batch (ends at 400) is wholly before the window (starts at 500)
  assert.deepEqual(w.atRisk(), { entries: 8, bytes: 1000 });
  for (let i = 0; i < 5000; i++) w.taken(10, 1); // compaction keeps the count right
  assert.deepEqual(w.atRisk(), { entries: 100, bytes: 1000 });
});

test('the capacity is the kernel\'s send plus receive buffer maxima on Linux', () => {
  assert.ok(kernelCapacity('tcp') >= 1 << 20);
  assert.ok(kernelCapacity('unix') >= 1 << 16);
});
