/**
 * Single-use attestation challenges, held in memory. `consume` is synchronous — the lookup and the
 * marking happen with no `await` between them — so of two concurrent `auth` calls carrying one
 * correlation id exactly one gets the challenge; the other sees it as used.
 *
 * A used challenge stays as a tombstone until it would have expired, so a replay is reported as a
 * replay; entries are swept one TTL after expiry (an expired challenge still reads as "expired"
 * for a while rather than "unknown"). Outstanding challenges are bounded: `init` needs no token,
 * so an unbounded table would be a memory leak anyone could trigger.
 */
import { randomBytes } from 'node:crypto';
import { SealtrailError, invalid } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { uuid } from '../../lib/ids.js';

export const CHALLENGE_BYTES = 32;

interface Entry {
  platform: string;
  challenge: Uint8Array | undefined; // undefined once used
  expiresAt: number;
  ttlMs: number;
}

export interface IssuedChallenge {
  correlationId: string;
  challenge: Uint8Array;
  expiresAt: number;
}

export interface ChallengeStore {
  issue(platform: string, ttlMs: number): IssuedChallenge;
  /** The challenge bytes, exactly once; afterwards (or if unknown/expired/for another platform) an 'invalid' error. */
  consume(correlationId: string, platform: string): Uint8Array;
  readonly size: number;
}

export function createChallengeStore(options: { clock: Clock; maxOutstanding?: number }): ChallengeStore {
  const { clock } = options;
  const maxOutstanding = options.maxOutstanding ?? 100_000;
  const entries = new Map<string, Entry>();

  function sweep(now: number): void {
    // Insertion order is expiry order while the TTL is unchanged; stop at the first live entry.
    for (const [id, e] of entries) {
      if (now <= e.expiresAt + e.ttlMs) break;
      entries.delete(id);
    }
  }

  return {
    issue(platform, ttlMs) {
      const now = clock.now();
      sweep(now);
      if (entries.size >= maxOutstanding) {
        throw new SealtrailError('rate_limited', 'too_many_challenges', 'too many outstanding attestation challenges; retry later');
      }
      const issued = { correlationId: uuid(), challenge: new Uint8Array(randomBytes(CHALLENGE_BYTES)), expiresAt: now + ttlMs };
      entries.set(issued.correlationId, { platform, challenge: issued.challenge, expiresAt: issued.expiresAt, ttlMs });
      return issued;
    },
    consume(correlationId, platform) {
      const entry = entries.get(correlationId);
      if (!entry) throw invalid('unknown correlation_id: request a challenge from init first', 'challenge_unknown');
      if (entry.platform !== platform) throw invalid('the challenge was issued for another platform', 'challenge_platform_mismatch');
      const challenge = entry.challenge;
      if (challenge === undefined) throw invalid('the challenge has already been used', 'challenge_replayed');
      entry.challenge = undefined; // consumed whatever the outcome: one attempt per challenge
      if (clock.now() > entry.expiresAt) throw invalid('the challenge has expired: request a new one from init', 'challenge_expired');
      return challenge;
    },
    get size() {
      return entries.size;
    },
  };
}
