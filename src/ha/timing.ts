/**
 * The HA timings, all derived from the lock TTL (docs/ha.md):
 *   - the active renews every ttl/3;
 *   - it stops serving (fences itself) when ttl − ttl/3 has passed since it *sent* its last
 *     successful renewal, measured on its monotonic clock. The database extended the lease to at
 *     least (send time + ttl) on its own clock, so the node stops a third of the TTL before any
 *     other node can take the lock, with room for clock rate drift and a slow answer;
 *   - standbys try for the lock every ttl/10 (at least 200 ms), so a failover takes at most
 *     about ttl + ttl/10 after the active's last renewal;
 *   - after a step-down the node waits before it competes again.
 */
export interface HaTiming {
  ttlMs: number;
  renewEveryMs: number;
  /** How long after a successful renewal's send time the node may still serve. */
  servingWindowMs: number;
  pollEveryMs: number;
  stepDownHoldOffMs: number;
  /** Each lock query gives up after this, so a hung one cannot outlast the serving window. */
  queryTimeoutMs: number;
}

export function haTiming(ttlMs: number): HaTiming {
  const renewEveryMs = Math.floor(ttlMs / 3);
  return {
    ttlMs,
    renewEveryMs,
    servingWindowMs: ttlMs - Math.floor(ttlMs / 3),
    pollEveryMs: Math.max(200, Math.floor(ttlMs / 10)),
    stepDownHoldOffMs: Math.min(10_000, ttlMs),
    queryTimeoutMs: Math.max(500, Math.floor(ttlMs / 6)),
  };
}

/** Monotonic milliseconds: immune to wall clock steps. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
