/**
 * The one AES-256-GCM primitive: the storage barrier, the KMS and capsules all seal with it, each
 * around its own wire format. The contract:
 * - The key is 32 bytes, the nonce exactly 12 and the tag 16 (GCM itself would accept other nonce
 *   and tag lengths). A wrong key size, or a wrong nonce size when sealing, is a programming error
 *   and throws RangeError; when opening, the nonce and tag come from stored or received bytes, so a
 *   wrong size there is just a ciphertext that does not open.
 * - The nonce is the caller's: it must never repeat under one key, so callers draw it from the
 *   CSPRNG (`randomNonce`, or a pool of CSPRNG bytes) and store it beside the ciphertext.
 * - Additional data is authenticated, not encrypted, and must be given again to open.
 * - Opening returns undefined when the tag does not verify (wrong key, nonce or AAD, or altered
 *   bytes): callers map that one outcome to their own error, so nothing reveals which part failed,
 *   and the unauthenticated plaintext is zeroed, never returned.
 */
import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';

export const AES_256_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export type AesKey = Uint8Array | KeyObject;

export interface GcmSealed {
  ciphertext: Buffer;
  tag: Buffer;
}

function checkKey(key: AesKey): void {
  const keyBytes = key instanceof Uint8Array ? key.length : key.symmetricKeySize;
  if (keyBytes !== AES_256_KEY_BYTES) throw new RangeError(`AES-256-GCM key must be ${AES_256_KEY_BYTES} bytes`);
}

// Nonces come from a pooled CSPRNG buffer: one call into OpenSSL serves 256 nonces (a call costs
// microseconds, a copy nanoseconds), and every nonce is still fresh CSPRNG output used once.
const NONCE_POOL_BYTES = GCM_NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePos = NONCE_POOL_BYTES;

/** A fresh random nonce (its own buffer). */
export function randomNonce(): Buffer {
  return pooledRandomBytes(GCM_NONCE_BYTES);
}

/** `n` (at most a nonce pool's worth) fresh CSPRNG bytes from the pool, in a buffer of their own. */
export function pooledRandomBytes(n: number): Buffer {
  if (n > NONCE_POOL_BYTES) throw new RangeError(`at most ${NONCE_POOL_BYTES} pooled random bytes at once`);
  if (noncePos + n > NONCE_POOL_BYTES) {
    noncePool = randomFillSync(Buffer.allocUnsafeSlow(NONCE_POOL_BYTES));
    noncePos = 0;
  }
  const out = Buffer.allocUnsafe(n);
  noncePool.copy(out, 0, noncePos, noncePos + n);
  noncePos += n;
  return out;
}

/** Encrypts `plaintext`, authenticating `aad` with it. */
export function gcmSeal(key: AesKey, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): GcmSealed {
  checkKey(key);
  if (nonce.length !== GCM_NONCE_BYTES) throw new RangeError(`AES-256-GCM nonce must be ${GCM_NONCE_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM emits no bytes on final
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the tag does not verify. */
export function gcmOpen(key: AesKey, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Buffer | undefined {
  checkKey(key);
  if (nonce.length !== GCM_NONCE_BYTES || tag.length !== GCM_TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    return undefined;
  }
  return plaintext;
}
