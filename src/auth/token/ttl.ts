/**
 * Token lifetimes, as Vault's framework.CalculateTTL computes them. All values are seconds.
 *
 * - non-periodic: ttl = requested (or the default), capped so that the token never lives past
 *   creation + max, where max = explicit_max_ttl when set (and below the max), else the max;
 * - periodic: ttl = period (at most the max) on every renewal, bounded only by explicit_max_ttl
 *   from creation;
 * - root-policy tokens without a ttl never expire (ttl 0) unless explicit_max_ttl is set.
 *
 * The default and the max are those of the auth mount that issued the token (its tune, else the
 * server's `default_lease_ttl` / `max_lease_ttl`), read again at every renewal.
 */
import type { TokenTtlLimits } from '../../core/index.js';
import { invalid } from '../../errors/index.js';

/** Vault's default and max lease TTL: 768h. */
export const DEFAULT_TOKEN_TTL = 768 * 3600;
export const SYSTEM_MAX_TTL = 768 * 3600;

export type TtlLimits = TokenTtlLimits;

export const BUILT_IN_TTL_LIMITS: TtlLimits = Object.freeze({ defaultTtl: DEFAULT_TOKEN_TTL, maxTtl: SYSTEM_MAX_TTL });

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
  limits: TtlLimits;
}

/** The ttl (seconds from `now`) a token gets; 0 = never expires. Throws once past its max lifetime. */
export function calculateTtl(input: TtlInput): number {
  const { requested, period, explicitMaxTtl, isRoot, creationTime, now } = input;
  const { defaultTtl, maxTtl } = input.limits;
  if (period === 0 && requested === 0 && isRoot && !input.original) return explicitMaxTtl;
  let ttl: number;
  let maxLifetime: number | undefined;
  if (period > 0) {
    ttl = Math.min(period, maxTtl);
    if (explicitMaxTtl > 0) maxLifetime = explicitMaxTtl;
  } else {
    ttl = requested || input.original || defaultTtl;
    maxLifetime = explicitMaxTtl > 0 ? Math.min(explicitMaxTtl, maxTtl) : maxTtl;
  }
  if (maxLifetime !== undefined) {
    const left = Math.floor((creationTime + maxLifetime * 1000 - now) / 1000);
    if (left <= 0) throw invalid('past the max TTL, cannot renew', 'past_max_ttl');
    ttl = Math.min(ttl, left);
  }
  return ttl;
}
