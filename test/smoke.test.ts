import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationSeconds, rfc3339Nano } from '../src/lib/time.js';

test('durations parse like Vault', () => {
  assert.equal(parseDurationSeconds('1h30m'), 5400);
  assert.equal(parseDurationSeconds(60), 60);
  assert.equal(parseDurationSeconds('60'), 60);
  assert.equal(parseDurationSeconds('7d'), 604800);
  assert.equal(parseDurationSeconds('abc'), undefined);
  assert.equal(parseDurationSeconds('1h junk'), undefined);
});

test('RFC 3339 nano trims trailing zeros like Go', () => {
  assert.equal(rfc3339Nano(1731627987382000000n), '2024-11-14T23:46:27.382Z');
  assert.equal(rfc3339Nano(1731627987000000000n), '2024-11-14T23:46:27Z');
  assert.equal(rfc3339Nano(1731627987123456789n), '2024-11-14T23:46:27.123456789Z');
});
