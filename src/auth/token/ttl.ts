/**
 * Token lifetimes, as Vault's framework.CalculateTTL computes them. All values are seconds.
 *
 * - non-periodic: ttl = requested (or the default), capped so that the token never lives past
 *   creation + max, where max = explicit_max_ttl when set (and below the system max), else the
 *   system max;
 * - periodic: ttl = period on every renewal, bounded only by explicit_max_ttl from creation;
 * - root-policy tokens without a ttl never expire (ttl 0) unless explicit_max_ttl is set.
 */
import { invalid } from '../../errors/index.js';

/** Vault's default and max lease TTL: 768h. */
export const DEFAULT_TOKEN_TTL = 768 * 3600;
export const SYSTEM_MAX_TTL = 768 * 3600;

export interface TtlInput {
  /** Requested ttl (create) or increment (renew); 0 = none requested. */
  requested: number;
  /** The token's original ttl, used when renewing without an increment. */
  original?: number;
  period: number;
  explicitMaxTtl: number;
  isRoot: boolean;
  /** ms since epoch. */
  creationTime: number;
  /** ms since epoch. */
  now: number;
}

/** The ttl (seconds from `now`) a token gets; 0 = never expires. Throws once past its max lifetime. */
export function calculateTtl(input: TtlInput): number {
  const { requested, period, explicitMaxTtl, isRoot, creationTime, now } = input;
  if (period === 0 && requested === 0 && isRoot && !input.original) return explicitMaxTtl;
  let ttl: number;
  let maxLifetime: number | undefined;
  if (period > 0) {
    ttl = Math.min(period, SYSTEM_MAX_TTL);
    if (explicitMaxTtl > 0) maxLifetime = explicitMaxTtl;
  } else {
    ttl = requested || input.original || DEFAULT_TOKEN_TTL;
    maxLifetime = explicitMaxTtl > 0 ? Math.min(explicitMaxTtl, SYSTEM_MAX_TTL) : SYSTEM_MAX_TTL;
  }
  if (maxLifetime !== undefined) {
    const left = Math.floor((creationTime + maxLifetime * 1000 - now) / 1000);
    if (left <= 0) throw invalid('past the max TTL, cannot renew', 'past_max_ttl');
    ttl = Math.min(ttl, left);
  }
  return ttl;
}
