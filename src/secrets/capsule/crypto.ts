/**
 * The capsule engine's contact with node:crypto: AES-256-GCM sealing (lib/aes-gcm.ts),
 * HMAC-SHA256 and random bytes (tokens use lib/keyed-hmac.ts). Opening returns undefined on any
 * authentication failure instead of throwing, so callers decide the error (and never leak which
 * part failed).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen as open, gcmSeal as seal } from '../../lib/aes-gcm.js';

export const KEY_BYTES = AES_256_KEY_BYTES;
export const IV_BYTES = GCM_NONCE_BYTES;
export const TAG_BYTES = GCM_TAG_BYTES;

export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function randomIv(): Buffer {
  return randomBytes(IV_BYTES);
}

export function random(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Ciphertext and tag apart, under `key` with `iv`, authenticating `aad` (no copy of a large body). */
export function gcmSealParts(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  return seal(key, iv, plaintext, aad);
}

/** ciphertext || tag, under `key` with `iv`, authenticating `aad`. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const { ciphertext, tag } = seal(key, iv, plaintext, aad);
  return Buffer.concat([ciphertext, tag]);
}

/** The plaintext, or undefined when the tag does not verify (tampered data, wrong key or AAD). */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  return open(key, iv, sealed.subarray(0, sealed.length - TAG_BYTES), sealed.subarray(sealed.length - TAG_BYTES), aad);
}

export function hmacSha256(key: Uint8Array, message: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

export function sha256(message: string | Uint8Array): Buffer {
  return createHash('sha256').update(message).digest();
}
