/** The system clock's nanosecond time follows the wall clock, also when the wall clock steps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/lib/clock.js';

const msOf = (ns: bigint) => Number(ns / 1_000_000n);

test('nowNs agrees with Date.now() to the millisecond resolution, and rises between calls', () => {
  let last = 0n;
  for (let i = 0; i < 1000; i++) {
    const ns = systemClock.nowNs();
    assert.ok(Math.abs(msOf(ns) - Date.now()) <= 3, `${msOf(ns)} against ${Date.now()}`);
    assert.ok(ns >= last);
    last = ns;
  }
});

test('after the wall clock steps (NTP correcting a host that started an hour slow), nowNs follows it at once, both ways', (t) => {
  const real = Date.now;
  t.after(() => { Date.now = real; });
  for (const step of [3_600_000, -7_200_000, 3_600_000]) {
    const before = Date.now();
    Date.now = () => before + step + (real() - before);
    const ns = systemClock.nowNs();
    assert.ok(Math.abs(msOf(ns) - Date.now()) <= 3, `stepped by ${step}: ${msOf(ns)} against ${Date.now()}`);
    Date.now = real;
    assert.ok(Math.abs(msOf(systemClock.nowNs()) - Date.now()) <= 3, 'and back');
  }
});
