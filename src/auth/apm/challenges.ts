/**
 * Single-use attestation challenges. `issue` stores nothing: the correlation id carries its expiry
 * and a MAC, and the challenge is derived from it (correlation-id.ts), so a flood of `init` calls
 * costs the server two HMACs each and can never deny a challenge to anyone.
 *
 * What is remembered is which ids have been used, until they expire, so a replay is refused. That
 * record is bounded: when it is full the oldest entry is dropped and the *floor* rises to its
 * expiry — every id expiring at or before the floor is refused as expired from then on, so a
 * dropped id can never be replayed. A flood of `auth` calls can at worst make a client whose
 * challenge predates the floor ask `init` for a new one.
 *
 * `consume` is synchronous — the check and the marking happen with no `await` between them — so of
 * two concurrent `auth` calls carrying one correlation id exactly one gets the challenge.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import { invalid } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { challengeFor, issueCorrelationId, verifyCorrelationId } from './correlation-id.js';

export const CHALLENGE_BYTES = 32;
export const DEFAULT_MAX_CONSUMED = 100_000;

export interface IssuedChallenge {
  correlationId: string;
  challenge: Uint8Array;
  expiresAt: number;
}

export interface ChallengeStore {
  issue(platform: string, ttlMs: number): IssuedChallenge;
  /** The challenge bytes, exactly once; afterwards (or if unknown/expired/for another platform) an 'invalid' error. */
  consume(correlationId: string, platform: string): Uint8Array;
  /** Used ids remembered (at most `maxConsumed`). */
  readonly size: number;
}

export interface ChallengeStoreOptions {
  clock: Clock;
  /** Bound on the record of used, unexpired ids; default 100 000. */
  maxConsumed?: number;
  /** MAC key (32 bytes); default a fresh random key, so a restart invalidates outstanding challenges. */
  key?: Uint8Array;
  /**
   * Where a challenge's bytes come from, given its platform and correlation id; default derived
   * from the id under the MAC key. Tests inject a source that hands out a recorded evidence's
   * REPORT_DATA, so real vendor-signed evidence can answer it; every check stays in place.
   */
  source?: ChallengeSource;
}

export type ChallengeSource = (platform: string, correlationId: string) => Uint8Array;

export function createChallengeStore(options: ChallengeStoreOptions): ChallengeStore {
  const { clock } = options;
  const maxConsumed = options.maxConsumed ?? DEFAULT_MAX_CONSUMED;
  const key = createSecretKey(options.key ?? randomBytes(32));
  const source: ChallengeSource = options.source ?? ((platform, id) => challengeFor(key, platform, id));
  /** Used id → its expiry, in the order they were used. */
  const consumed = new Map<string, number>();
  let floor = -Infinity;
  /**
   * The oldest entry, read through one iterator kept from call to call: a fresh iterator starts at
   * the Map's front, where V8 keeps every entry deleted since its last rehash as a hole to step
   * over, so reading the oldest entry of a full store cost a scan of ~100,000 holes per login.
   */
  let hand: Iterator<[string, number]> | undefined;
  let head: [string, number] | undefined;

  function oldest(): [string, number] | undefined {
    if (head !== undefined) return head;
    let step = hand?.next();
    if (step === undefined || step.done === true) {
      hand = consumed.entries();
      step = hand.next();
    }
    head = step.done === true ? undefined : step.value;
    return head;
  }

  function dropOldest(entry: [string, number]): void {
    consumed.delete(entry[0]);
    head = undefined;
  }

  function sweep(now: number): void {
    // Use order is close to expiry order; stop at the first live entry (the bound holds regardless).
    for (let entry = oldest(); entry !== undefined && entry[1] < now; entry = oldest()) dropOldest(entry);
  }

  function remember(id: string, expiresAt: number): void {
    if (consumed.size >= maxConsumed) {
      const entry = oldest()!;
      dropOldest(entry);
      floor = Math.max(floor, entry[1]);
    }
    consumed.set(id, expiresAt);
  }

  return {
    issue(platform, ttlMs) {
      const expiresAt = clock.now() + ttlMs;
      const correlationId = issueCorrelationId(key, platform, expiresAt);
      return { correlationId, challenge: source(platform, correlationId), expiresAt };
    },
    consume(correlationId, platform) {
      const now = clock.now();
      sweep(now);
      const decoded = verifyCorrelationId(key, platform, correlationId, now);
      if (!decoded) throw invalid('unknown correlation_id: request a challenge from init first', 'challenge_unknown');
      if (now > decoded.expiresAt || decoded.expiresAt <= floor) throw invalid('the challenge has expired: request a new one from init', 'challenge_expired');
      const id = correlationId.toLowerCase();
      if (consumed.has(id)) throw invalid('the challenge has already been used', 'challenge_replayed');
      remember(id, decoded.expiresAt); // used whatever the outcome: one attempt per challenge
      return source(platform, id);
    },
    get size() {
      return consumed.size;
    },
  };
}
