/**
 * The bounded caches (lib/lru.ts), the rate limit quotas' client counters and the attestation
 * challenges' record of used ids under churn: keys
 * cycling through three times a cache's limit, so every lookup misses and every insert evicts —
 * what a client with many addresses, or many tokens, makes of them. The baseline is a plain Map
 * kept at the same size by deleting its oldest key through one live iterator (a FIFO): the least
 * an eviction can cost. Figures are CPU µs per operation (lookup + insert), in process.
 *
 *   node --import tsx bench/lru.ts
 */
import { LruMap } from '../src/lib/lru.js';
import { createRateLimits } from '../src/core/rate-limits.js';
import { systemClock } from '../src/lib/clock.js';
import { createMemoryStorage, storageView } from '../src/storage/index.js';
import { createChallengeStore } from '../src/auth/apm/challenges.js';
import { manualClock } from '../src/lib/clock.js';

const OPS = 300_000;

function cpuMicros(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function churnLru(limit: number, keys: string[]): number {
  const lru = new LruMap<string, number>(limit);
  return cpuMicros(() => {
    for (let i = 0; i < OPS; i++) {
      const k = keys[i % keys.length];
      if (lru.get(k) === undefined) lru.set(k, i);
    }
  }) / OPS;
}

function churnFifo(limit: number, keys: string[]): number {
  const map = new Map<string, number>();
  let hand = map.keys();
  return cpuMicros(() => {
    for (let i = 0; i < OPS; i++) {
      const k = keys[i % keys.length];
      if (map.get(k) !== undefined) continue;
      if (map.size >= limit) {
        let step = hand.next();
        if (step.done === true) { hand = map.keys(); step = hand.next(); }
        map.delete(step.value as string);
      }
      map.set(k, i);
    }
  }) / OPS;
}

export async function benchLru(rounds = 5): Promise<string> {
  const rows: string[] = [];
  for (const limit of [1_000, 100_000]) {
    const keys = Array.from({ length: limit * 3 }, (_, i) => `key-${i}`);
    const lru: number[] = [];
    const fifo: number[] = [];
    for (let r = 0; r < rounds; r++) {
      lru.push(churnLru(limit, keys));
      fifo.push(churnFifo(limit, keys));
    }
    rows.push(`| LruMap, limit ${limit.toLocaleString('en-US')}, every lookup a miss | ${median(lru).toFixed(2)} | ${median(fifo).toFixed(2)} | ${(median(lru) / median(fifo)).toFixed(2)} |`);
  }
  // The quotas' counters: a global quota, 200,000 client addresses taking turns (twice the counters kept).
  const quotas = createRateLimits({ storage: storageView(createMemoryStorage(), 'q/'), clock: systemClock, mountOf: () => undefined });
  await quotas.put('global', { path: '', rate: 1e9, intervalMs: 1000, blockIntervalMs: 0, role: '' });
  const addresses = Array.from({ length: 200_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  const takes: number[] = [];
  const known: number[] = [];
  for (let r = 0; r < rounds; r++) {
    takes.push(cpuMicros(() => { for (let i = 0; i < OPS; i++) quotas.take('secret/data/app', addresses[(r * OPS + i) % addresses.length]); }) / OPS);
    known.push(cpuMicros(() => { for (let i = 0; i < OPS; i++) quotas.take('secret/data/app', addresses[i % 1000]); }) / OPS);
  }
  rows.push(`| rate limit quota, 200,000 clients taking turns (every counter new) | ${median(takes).toFixed(2)} | ${median(known).toFixed(2)} (1,000 clients, counters kept) | ${(median(takes) / median(known)).toFixed(2)} |`);
  // The attestation challenges' record of used ids, full (100,000): each login evicts the oldest.
  // Baseline: the same consume on a store that never fills (the correlation id's HMAC checks).
  const consumeCost = (maxConsumed: number) => {
    const clock = manualClock(1_700_000_000_000);
    const store = createChallengeStore({ clock, maxConsumed });
    const n = 50_000;
    const ids = Array.from({ length: 100_000 + n }, () => { clock.advance(1); return store.issue('nitro', 3_600_000).correlationId; });
    for (let i = 0; i < 100_000; i++) store.consume(ids[i], 'nitro');
    return cpuMicros(() => { for (let i = 100_000; i < ids.length; i++) store.consume(ids[i], 'nitro'); }) / n;
  };
  const full: number[] = [];
  const roomy: number[] = [];
  for (let r = 0; r < Math.min(rounds, 3); r++) {
    full.push(consumeCost(100_000));
    roomy.push(consumeCost(1_000_000));
  }
  rows.push(`| attestation login's challenge check, 100,000 used challenges kept (each evicts the oldest) | ${median(full).toFixed(2)} | ${median(roomy).toFixed(2)} (a record that never fills) | ${(median(full) / median(roomy)).toFixed(2)} |`);
  return ['| case (µs per operation, median of rounds) | measured | baseline (FIFO Map) | ratio |', '|---|---:|---:|---:|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchLru());
