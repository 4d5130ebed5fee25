import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration } from '../../../src/secrets/kv/views.js';

test('durations are written as Go\'s time.Duration.String()', () => {
  const table: [number, string][] = [
    [0, '0s'], [1, '1s'], [59, '59s'], [60, '1m0s'], [90, '1m30s'], [3600, '1h0m0s'],
    [5400, '1h30m0s'], [2764800, '768h0m0s'], [-1, '-1s'], [-3661, '-1h1m1s'],
  ];
  for (const [seconds, expected] of table) assert.equal(goDuration(seconds), expected, String(seconds));
});
