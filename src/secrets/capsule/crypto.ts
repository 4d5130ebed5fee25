/**
 * The capsule engine's only contact with node:crypto: AES-256-GCM sealing (lib/aes-gcm.ts),
 * HMAC-SHA256 and random bytes. Opening returns undefined on any authentication failure instead of throwing, so callers
 * decide the error (and never leak which part failed).
 */
import { createHash, createHmac, hash, randomBytes } from 'node:crypto';
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

const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;

/**
 * HMAC-SHA256 under one key for many messages, each after a fixed `prefix` (RFC 2104:
 * H(K ⊕ opad ‖ H(K ⊕ ipad ‖ prefix ‖ m))), as hex: the same as
 * hmacSha256(key, prefix + m).toString('hex'). The padded key blocks and the prefix are written
 * once and each message costs two one-shot hashes with string results (a Buffer result costs more
 * than the hashing; the inner one is 'binary', one character a byte, copied straight back), under
 * half a createHmac per message: a load may tokenize thousands of values. An object rather than a
 * closure, so code optimized around `hex` in one load stays valid when the next brings a new key.
 */
export class KeyedHmac {
  private readonly inner: Buffer;
  private readonly innerHead: Buffer;
  private readonly outer: Buffer;
  private readonly start: number;
  private readonly room: number;

  constructor(key: Uint8Array, prefix = '') {
    const k = key.length > SHA256_BLOCK_BYTES ? sha256(key) : key;
    const prefixBytes = Buffer.from(prefix, 'utf8');
    this.start = SHA256_BLOCK_BYTES + prefixBytes.length;
    this.inner = Buffer.alloc(this.start + 1024, 0x36);
    this.outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.inner[i] ^= k[i];
      this.outer[i] ^= k[i];
    }
    prefixBytes.copy(this.inner, SHA256_BLOCK_BYTES);
    this.innerHead = this.inner.subarray(0, this.start);
    this.room = this.inner.length - this.start;
  }

  /** HMAC-SHA256(key, prefix ‖ message) as hex. */
  hex(message: string): string {
    const { inner, start, room, outer } = this;
    // Short messages (most values) are written after the prefix in place; longer ones are joined.
    const data = message.length <= room / 3 || Buffer.byteLength(message, 'utf8') <= room
      ? inner.subarray(0, start + inner.write(message, start, 'utf8'))
      : Buffer.concat([this.innerHead, Buffer.from(message, 'utf8')]);
    outer.write(hash('sha256', data, 'binary'), SHA256_BLOCK_BYTES, 'binary');
    return hash('sha256', outer, 'hex');
  }
}
