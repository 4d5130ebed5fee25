/**
 * Token ids are secrets: only their keyed hash is ever stored or used as a key. HMAC-SHA256 under
 * a key kept in the barrier, so a copy of the storage alone cannot test guessed ids.
 */
import { hash } from 'node:crypto';
import { KeyedHmac } from '../../lib/keyed-hmac.js';

export type TokenHasher = (id: string) => string;

/** `prefix` separates the hashes of other values under the same key (`accessor:` for accessors). */
export function tokenHasher(hashKey: Uint8Array, prefix = ''): TokenHasher {
  if (hashKey.length < 16) throw new Error('token hash key must be at least 16 bytes');
  const mac = new KeyedHmac(hashKey, prefix);
  return (id) => mac.hex(id);
}

/**
 * An unkeyed SHA-256 of a token id, for in-memory indexes only (never stored): six times cheaper
 * than the keyed hash, and as impossible to turn back into a high-entropy id.
 */
export function tokenDigest(id: string): string {
  return hash('sha256', id, 'base64');
}
