/**
 * Symmetric encryption under a KMS key's material: AES-256-GCM (lib/aes-gcm.ts) with a random 96-bit IV, the blob
 * header and the canonical encryption context as additional data. Returns undefined (not throw) on
 * any authentication failure: callers turn that into InvalidCiphertextException.
 *
 * Each message has its own key, derived from the material and a random 128-bit nonce stored in the
 * blob (NIST SP 800-108 in counter mode with HMAC-SHA256, one block), as AWS KMS derives a key per
 * call from its backing key. GCM with random 96-bit IVs allows at most 2^32 messages under one key
 * (NIST SP 800-38D) before an IV may repeat, and a repeat exposes the key's authentication
 * subkey; a KMS key encrypts at thousands of calls a second for years, so no message key is used
 * more than once.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { gcmOpen, gcmSeal, pooledRandomBytes, randomNonce } from '../../lib/aes-gcm.js';
import { KEY_NONCE_LENGTH, decodeBlob, encodeBlob, encodeHeader, type CiphertextParts } from './ciphertext.js';
import { canonicalContext, type EncryptionContext } from './encryption-context.js';

export interface SealInput {
  keyId: string;
  materialVersion: number;
  material: Uint8Array;
  plaintext: Uint8Array;
  context?: EncryptionContext;
}

function aad(header: Buffer, context: EncryptionContext | undefined): Buffer {
  return Buffer.concat([header, canonicalContext(context)]);
}

/** SP 800-108's fixed input around the context: [i = 1]_32 ‖ label ‖ 0x00 … ‖ [L = 256]_32. */
const KDF_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('sealtrail/kms/message-key', 'ascii'), Buffer.from([0])]);
const KDF_TAIL = Buffer.from([0, 0, 1, 0]);

/** The message key: bound to the blob's header (key id, material version) and its key nonce. */
export function messageKey(material: Uint8Array, header: Buffer, keyNonce: Buffer): Buffer {
  return createHmac('sha256', material).update(KDF_HEAD).update(header).update(keyNonce).update(KDF_TAIL).digest();
}

export function sealBlob(input: SealInput): Buffer {
  const header = encodeHeader(input.keyId, input.materialVersion);
  const keyNonce = pooledRandomBytes(KEY_NONCE_LENGTH);
  const iv = randomNonce();
  const key = messageKey(input.material, header, keyNonce);
  try {
    const { ciphertext, tag } = gcmSeal(key, iv, input.plaintext, aad(header, input.context));
    return encodeBlob({ header, keyNonce, iv, ciphertext, tag });
  } finally {
    key.fill(0);
  }
}

/** Parses a blob's header (which key, which material) without decrypting. */
export const parseBlob = decodeBlob;

export function openBlob(parts: CiphertextParts, material: Uint8Array, context: EncryptionContext | undefined): Buffer | undefined {
  // A version 0x01 blob was sealed under the material itself.
  if (!parts.keyNonce) return gcmOpen(material, parts.iv, parts.ciphertext, parts.tag, aad(parts.header, context));
  const key = messageKey(material, parts.header, parts.keyNonce);
  try {
    return gcmOpen(key, parts.iv, parts.ciphertext, parts.tag, aad(parts.header, context));
  } finally {
    key.fill(0);
  }
}

export function newMaterial(): Buffer {
  return randomBytes(32);
}

export function randomData(n: number): Buffer {
  return randomBytes(n);
}
