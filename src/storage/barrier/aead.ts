/**
 * The barrier's one cipher: AES-256-GCM (lib/aes-gcm.ts) with a fresh random 96-bit nonce per value. Every sealed
 * value carries a small header so the format and the key term can change without breaking old data:
 *
 *   [format version: 1 byte = 1][term: uint32 BE][nonce: 12 bytes][ciphertext][tag: 16 bytes]
 *
 * The caller's additional data (the storage key) is authenticated, so a value copied to another key
 * fails to open. This is the only barrier module that imports node:crypto.
 */
import { createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal, type AesKey } from '../../lib/aes-gcm.js';

export const FORMAT_VERSION = 1;
export const KEY_BYTES = AES_256_KEY_BYTES;
const HEADER_BYTES = 5;
const NONCE_BYTES = GCM_NONCE_BYTES;
const TAG_BYTES = GCM_TAG_BYTES;
export const OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

/** Why a sealed value failed to open; the message never includes key or plaintext bytes. */
export type OpenFailure = 'format' | 'version' | 'auth';

export type OpenResult =
  | { ok: true; plaintext: Buffer }
  | { ok: false; reason: OpenFailure };

/** A fresh random 32-byte key, as a plain Uint8Array the caller can wipe. */
export function randomKey(): Uint8Array {
  return randomFillSync(new Uint8Array(KEY_BYTES));
}

/** Imports raw key bytes once so per-value encryption does not re-import them. */
export function importKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new RangeError(`AES-256 key must be ${KEY_BYTES} bytes`);
  return createSecretKey(raw);
}

// Nonces are drawn from a pooled CSPRNG buffer: one getrandom call serves many writes, and every
// nonce is still used exactly once.
const NONCE_POOL_SIZE = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePos = NONCE_POOL_SIZE;

function writeNonce(out: Buffer, offset: number): void {
  if (noncePos >= NONCE_POOL_SIZE) {
    noncePool = randomFillSync(Buffer.allocUnsafe(NONCE_POOL_SIZE));
    noncePos = 0;
  }
  noncePool.copy(out, offset, noncePos, noncePos + NONCE_BYTES);
  noncePos += NONCE_BYTES;
}

/** Encrypts `plaintext` under `key`, labelling it with `term`; `aad` is authenticated, not stored. */
export function sealValue(key: AesKey, term: number, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(OVERHEAD + plaintext.length);
  out[0] = FORMAT_VERSION;
  out.writeUInt32BE(term, 1);
  writeNonce(out, HEADER_BYTES);
  const { ciphertext, tag } = gcmSeal(key, out.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES), plaintext, aad);
  ciphertext.copy(out, HEADER_BYTES + NONCE_BYTES);
  tag.copy(out, out.length - TAG_BYTES);
  return out;
}

/** The term a sealed value names, or undefined if the header is not one this code writes. */
export function termOf(sealed: Uint8Array): number | undefined {
  if (sealed.length < OVERHEAD || sealed[0] !== FORMAT_VERSION) return undefined;
  return ((sealed[1] << 24) | (sealed[2] << 16) | (sealed[3] << 8) | sealed[4]) >>> 0;
}

/** Decrypts a value sealed by `sealValue`; authentication failure is a result, not an exception. */
export function openValue(key: AesKey, sealed: Uint8Array, aad: Uint8Array): OpenResult {
  if (sealed.length < OVERHEAD) return { ok: false, reason: 'format' };
  if (sealed[0] !== FORMAT_VERSION) return { ok: false, reason: 'version' };
  const nonce = sealed.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const plaintext = gcmOpen(key, nonce, sealed.subarray(HEADER_BYTES + NONCE_BYTES, sealed.length - TAG_BYTES), sealed.subarray(sealed.length - TAG_BYTES), aad);
  return plaintext === undefined ? { ok: false, reason: 'auth' } : { ok: true, plaintext };
}
