/**
 * How many values the barrier has sealed under its active key term, and when to rotate.
 *
 * Every stored value is sealed with AES-256-GCM under the keyring's active term with a random
 * 96-bit nonce; NIST SP 800-38D allows at most 2^32 such messages under one key before a nonce
 * repeat becomes likely enough to matter. As Vault does, the count is kept and the keyring is
 * rotated (a new term) at 3,865,470,566 encryptions, 0.9 × 2^32.
 *
 * The count lives in memory and is written to `core/keyring-usage` (plain JSON: a count is no
 * secret) every PERSIST_EVERY encryptions, at every rotation and when the server seals. After a
 * crash up to PERSIST_EVERY encryptions may be missing from the record, so a count read back is
 * taken to be that much higher: it may rotate early, never late. A term with no record (a keyring
 * older than the count) starts from 0.
 */
import type { Storage } from '../types.js';

export const KEY_USAGE_KEY = 'core/keyring-usage';
/** Vault's default `max_operations` for automatic barrier key rotation. */
export const MAX_ENCRYPTIONS_PER_TERM = 3_865_470_566;
export const PERSIST_EVERY = 1 << 20;

export interface KeyUsageLimits {
  maxEncryptions: number;
  persistEvery: number;
}

export const DEFAULT_KEY_USAGE_LIMITS: KeyUsageLimits = { maxEncryptions: MAX_ENCRYPTIONS_PER_TERM, persistEvery: PERSIST_EVERY };

export interface KeyUsageRecord {
  term: number;
  encryptions: number;
}

export function encodeKeyUsage(record: KeyUsageRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** The stored count for `term`, raised by what a crash may have lost; 0 when none is stored for it. */
export async function readKeyUsage(physical: Storage, term: number, limits: KeyUsageLimits): Promise<number> {
  const raw = await physical.get(KEY_USAGE_KEY);
  if (raw === undefined) return 0;
  try {
    const record = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<KeyUsageRecord>;
    if (record.term !== term || typeof record.encryptions !== 'number' || !Number.isSafeInteger(record.encryptions) || record.encryptions < 0) return record.term === term ? limits.maxEncryptions : 0;
    return record.encryptions + limits.persistEvery;
  } catch {
    // Unreadable: assume the worst for the active term, which rotates it at its next write.
    return limits.maxEncryptions;
  }
}
