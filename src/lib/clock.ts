/**
 * Time source. Nothing in Sealtrail calls `Date.now()` directly: every factory takes a Clock so
 * tests can pin time (token expiry, attestation validity, audit timestamps).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Nanoseconds since the Unix epoch (for RFC 3339 timestamps with nanoseconds). */
  nowNs(): bigint;
}

const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** The wall clock, with nanosecond resolution taken from the monotonic timer. */
export const systemClock: Clock = {
  now: () => Date.now(),
  nowNs: () => originNs + process.hrtime.bigint(),
};

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let ns = BigInt(startMs) * 1_000_000n;
  return {
    now: () => Number(ns / 1_000_000n),
    nowNs: () => ns,
    set(ms) { ns = BigInt(ms) * 1_000_000n; },
    advance(ms) { ns += BigInt(Math.round(ms * 1_000_000)); },
  };
}
