import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRfc3339Ns } from '../../src/journal/index.js';
import { rfc3339Nano } from '../../src/lib/time.js';

test('nanoseconds are exact beyond 2^53, and the formatter\'s output parses back to the same instant', () => {
  assert.equal(parseRfc3339Ns('2026-12-05T03:04:05.123456789Z'), 1_796_439_845_123_456_789n);
  for (const ns of [1_796_439_845_000_000_000n, 1_796_439_845_100_000_000n, 1_796_439_845_000_000_001n, 1_796_439_845_999_999_999n]) {
    assert.equal(parseRfc3339Ns(rfc3339Nano(ns)), ns);
  }
});

test('offsets are applied; lower-case t and z are RFC 3339 too', () => {
  assert.equal(parseRfc3339Ns('2026-12-05T05:04:05.5+02:00'), parseRfc3339Ns('2026-12-05T03:04:05.5Z'));
  assert.equal(parseRfc3339Ns('2026-12-04T22:34:05-04:30'), parseRfc3339Ns('2026-12-05T03:04:05Z'));
  assert.equal(parseRfc3339Ns('2026-12-05t03:04:05z'), 1_796_439_845_000_000_000n);
});

test('the second cache never lends a second to another time', () => {
  assert.equal(parseRfc3339Ns('2026-12-05T03:04:05.1Z'), 1_796_439_845_100_000_000n);
  assert.equal(parseRfc3339Ns('2026-12-05T03:04:05.1+01:00'), 1_796_436_245_100_000_000n);
  assert.equal(parseRfc3339Ns('2026-12-05T03:04:05.2Z'), 1_796_439_845_200_000_000n);
});

test('years before 100 are not taken for 19xx (they are out of range); the ends of the 64-bit range are kept', () => {
  assert.equal(parseRfc3339Ns('0099-01-01T00:00:00Z'), undefined);
  assert.equal(parseRfc3339Ns('2262-04-11T23:47:16.854775807Z'), 2n ** 63n - 1n);
  assert.equal(parseRfc3339Ns('1677-09-21T00:12:43.145224192Z'), -(2n ** 63n));
  assert.equal(parseRfc3339Ns('1970-01-01T00:00:00Z'), 0n);
  assert.equal(parseRfc3339Ns('1969-12-31T23:59:59.999999999Z'), -1n);
});

test('what is not a real time is refused', () => {
  for (const bad of ['2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-12-05T24:00:00Z', '2026-12-05T03:60:00Z',
    '2026-12-05T03:04:05', '2026-12-05 03:04:05Z', '9999-12-31T23:59:59Z', '1000-01-01T00:00:00Z',
    '2262-04-11T23:47:16.854775808Z', '2026-12-05T03:04:05.1234567890Z', '1796439845', '']) {
    assert.equal(parseRfc3339Ns(bad), undefined, bad);
  }
});
