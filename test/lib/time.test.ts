import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339Nano } from '../../src/lib/time.js';

/** Go's time.RFC3339Nano, computed the slow way for comparison. */
function reference(ns: bigint): string {
  const second = ns / 1_000_000_000n;
  const base = new Date(Number(second) * 1000).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

test('RFC 3339 with nanoseconds: trailing zeros trimmed, leading zeros kept', () => {
  const s = 1731627987n * 1_000_000_000n;
  assert.equal(rfc3339Nano(s), '2024-11-14T23:46:27Z');
  assert.equal(rfc3339Nano(s + 1n), '2024-11-14T23:46:27.000000001Z');
  assert.equal(rfc3339Nano(s + 100_000_000n), '2024-11-14T23:46:27.1Z');
  assert.equal(rfc3339Nano(s + 999_999_999n), '2024-11-14T23:46:27.999999999Z');
  // each group of three digits trimmed or kept
  assert.equal(rfc3339Nano(s + 1_000n), '2024-11-14T23:46:27.000001Z');
  assert.equal(rfc3339Nano(s + 123_000n), '2024-11-14T23:46:27.000123Z');
  assert.equal(rfc3339Nano(s + 5_000_000n), '2024-11-14T23:46:27.005Z');
  assert.equal(rfc3339Nano(s + 120_000_000n), '2024-11-14T23:46:27.12Z');
  assert.equal(rfc3339Nano(s + 100_200_030n), '2024-11-14T23:46:27.10020003Z');
  assert.equal(rfc3339Nano(s + 1_000_000_000n), '2024-11-14T23:46:28Z');
  assert.equal(rfc3339Nano(s - 1n), '2024-11-14T23:46:26.999999999Z'); // back in time: the date is recomputed
});

test('agrees with the reference across seconds, in and out of order', () => {
  let ns = 1731627987123456789n;
  for (let i = 0; i < 5000; i++) {
    ns += BigInt((i * 7919) % 400_000_000) * (i % 3 === 0 ? -1n : 1n) + 1n;
    assert.equal(rfc3339Nano(ns), reference(ns));
  }
});

test('a duration above zero is at least one second: "not set" (0) is never the result of a limit that was set', async () => {
  const { parseDurationSeconds } = await import('../../src/lib/time.js');
  for (const given of ['500ms', '0.9s', '1ns', 0.5, '999us']) assert.equal(parseDurationSeconds(given), 1, String(given));
  for (const given of ['0', 0, '0s', '0ms']) assert.equal(parseDurationSeconds(given), 0, String(given));
  assert.equal(parseDurationSeconds('1.5s'), 1);
  assert.equal(parseDurationSeconds('1m0.5s'), 60);
});
