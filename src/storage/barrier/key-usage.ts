/**
 * How many values the barrier has sealed under its active key term, and when to rotate.
 *
 * Every stored value is sealed with AES-256-GCM under the keyring's active term with a random
 * 96-bit nonce; NIST SP 800-38D allows at most 2^32 such messages under one key before a nonce
 * repeat becomes likely enough to matter. As Vault does, the count is kept and the keyring is
 * rotated (a new term) at 3,865,470,566 encryptions, 0.9 × 2^32.
 *
 * The count lives in memory and is written to `core/keyring-usage` (plain JSON: a count is no
 * secret) every PERSIST_EVERY encryptions (one write at a time; a failed one is tried again at the
 * next encryption), at every rotation and when the server seals. After a
 * crash up to PERSIST_EVERY encryptions may be missing from the record, so a count read back is
 * taken to be that much higher: it may rotate early, never late. The record a seal writes is exact
 * and says so (`sealed`), and is read back as it is. Every unseal writes the count it read back
 * (without the mark) before the key seals anything, so a crash after it is padded from there: a
 * server that crashes again and again, each time before its next write, still never counts low. A
 * term with no record (a keyring older than the count) starts from 0.
 */
import type { Storage } from '../types.js';

export const KEY_USAGE_KEY = 'core/keyring-usage';
/** `sys/rotate/config`: when the active term is rotated by itself (plain JSON: no secret). */
export const ROTATION_CONFIG_KEY = 'core/keyring-rotation';
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
  /** Written by a seal: the count is exact (nothing was sealed after it was written). */
  sealed?: true;
}

/** A count read back, and whether it is a seal's exact one. */
export interface KeyUsage {
  encryptions: number;
  sealed: boolean;
}

export function encodeKeyUsage(record: KeyUsageRecord): Uint8Array {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/**
 * The stored count for `term`: as written by a seal, or else raised by what a crash may have lost;
 * 0 when none is stored for it.
 */
export async function readKeyUsage(physical: Storage, term: number, limits: KeyUsageLimits): Promise<KeyUsage> {
  const raw = await physical.get(KEY_USAGE_KEY);
  if (raw === undefined) return { encryptions: 0, sealed: false };
  try {
    const record = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<KeyUsageRecord>;
    if (record.term !== term || typeof record.encryptions !== 'number' || !Number.isSafeInteger(record.encryptions) || record.encryptions < 0) {
      return { encryptions: record.term === term ? limits.maxEncryptions : 0, sealed: false };
    }
    if (record.sealed === true) return { encryptions: record.encryptions, sealed: true };
    return { encryptions: record.encryptions + limits.persistEvery, sealed: false };
  } catch {
    // Unreadable: assume the worst for the active term, which rotates it at its next write.
    return { encryptions: limits.maxEncryptions, sealed: false };
  }
}

/** Vault's `sys/rotate/config`. */
export interface RotationConfig {
  /** Encryptions under one term before it is rotated: from MIN_MAX_OPERATIONS to MAX_ENCRYPTIONS_PER_TERM. */
  maxOperations: number;
  /** Age of the active term (ms) at which a write rotates it; 0: none. At least a day otherwise. */
  intervalMs: number;
  /** False: counted, never rotated by itself. */
  enabled: boolean;
}

export const MIN_MAX_OPERATIONS = 1_000_000;
export const MIN_ROTATION_INTERVAL_MS = 24 * 3600 * 1000;
export const DEFAULT_ROTATION_CONFIG: RotationConfig = { maxOperations: MAX_ENCRYPTIONS_PER_TERM, intervalMs: 0, enabled: true };

export function encodeRotationConfig(config: RotationConfig): Uint8Array {
  return Buffer.from(JSON.stringify(config), 'utf8');
}

/** The stored configuration; the default when none is stored. An unreadable one is the default too: the strictest. */
export async function readRotationConfig(physical: Storage): Promise<RotationConfig> {
  const raw = await physical.get(ROTATION_CONFIG_KEY);
  if (raw === undefined) return DEFAULT_ROTATION_CONFIG;
  try {
    const c = JSON.parse(Buffer.from(raw).toString('utf8')) as Partial<RotationConfig>;
    const valid = typeof c.enabled === 'boolean' && Number.isSafeInteger(c.maxOperations) && Number.isSafeInteger(c.intervalMs)
      && c.maxOperations! >= MIN_MAX_OPERATIONS && c.maxOperations! <= MAX_ENCRYPTIONS_PER_TERM && (c.intervalMs === 0 || c.intervalMs! >= MIN_ROTATION_INTERVAL_MS);
    return valid ? (c as RotationConfig) : DEFAULT_ROTATION_CONFIG;
  } catch {
    return DEFAULT_ROTATION_CONFIG;
  }
}
