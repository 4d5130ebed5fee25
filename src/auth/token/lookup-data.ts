/** The `data` of auth/token/lookup*, shaped and keyed exactly as Vault's. */
import type { TokenEntry } from '../../core/index.js';
import { rfc3339Nano } from '../../lib/time.js';

const msToNs = (ms: number) => BigInt(ms) * 1_000_000n;

/** Seconds left before expiry (0 for tokens that never expire). */
export function remainingTtl(entry: TokenEntry, nowMs: number): number {
  return entry.expireTime === 0 ? 0 : Math.max(0, Math.floor((entry.expireTime - nowMs) / 1000));
}

/**
 * A lookup's response: its `data`, and as `auditData` the same with expire_time, issue_time and
 * last_renewal as time values, which they are in Vault's response: its audit writes them as
 * RFC 3339 text, not hashed (audit/hash.ts).
 */
export function lookupResponse(entry: TokenEntry, id: string, nowMs: number): { data: Record<string, unknown>; auditData: Record<string, unknown> } {
  const data = lookupData(entry, id, nowMs);
  const auditData: Record<string, unknown> = { ...data, issue_time: new Date(entry.creationTime) };
  if (entry.expireTime !== 0) auditData.expire_time = new Date(entry.expireTime);
  if (entry.lastRenewalTime !== undefined) auditData.last_renewal = new Date(entry.lastRenewalTime);
  return { data, auditData };
}

/** `id` is the token id for lookup/lookup-self and "" for lookup-accessor. */
export function lookupData(entry: TokenEntry, id: string, nowMs: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    accessor: entry.accessor,
    creation_time: Math.floor(entry.creationTime / 1000),
    creation_ttl: entry.ttl,
    display_name: entry.displayName,
    entity_id: entry.entityId,
    expire_time: entry.expireTime === 0 ? null : rfc3339Nano(msToNs(entry.expireTime)),
    explicit_max_ttl: entry.explicitMaxTtl,
    id,
    issue_time: rfc3339Nano(msToNs(entry.creationTime)),
    meta: Object.keys(entry.meta).length === 0 ? null : { ...entry.meta },
    num_uses: entry.numUses,
    orphan: entry.orphan,
    path: entry.path,
    policies: [...entry.policies],
    renewable: entry.renewable,
    ttl: remainingTtl(entry, nowMs),
    type: entry.type,
  };
  if (entry.period > 0) data.period = entry.period;
  if (entry.lastRenewalTime !== undefined) {
    data.last_renewal_time = Math.floor(entry.lastRenewalTime / 1000);
    data.last_renewal = rfc3339Nano(msToNs(entry.lastRenewalTime));
  }
  return data;
}
