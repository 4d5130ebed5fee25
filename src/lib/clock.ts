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

/**
 * How far the monotonic timer may sit from the wall clock before it is anchored again: Date.now()
 * has millisecond resolution, and NTP slews both clocks alike (only a step moves one alone).
 */
const ANCHOR_SLACK_NS = 5_000_000n;
const offBy = (drift: bigint) => drift > ANCHOR_SLACK_NS || drift < -ANCHOR_SLACK_NS;
let originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/**
 * The wall clock, with nanosecond resolution taken from the monotonic timer. When the wall clock
 * steps (NTP correcting a host that started wrong, a VM resumed, an operator), the timer is anchored
 * to it again at once: audit entries and journal records keep the time tokens, KMS keys and
 * CloudTrail events are stamped with, as Vault's entries follow Go's time.Now().
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  nowNs: () => {
    const before = Date.now();
    const mono = process.hrtime.bigint();
    if (offBy(originNs + mono - BigInt(before) * 1_000_000n)) {
      // Read again after the timer: a thread preempted between two reads is no step of the clock.
      const afterNs = BigInt(Date.now()) * 1_000_000n;
      if (offBy(originNs + mono - afterNs)) originNs = afterNs - mono;
    }
    return originNs + mono;
  },
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
