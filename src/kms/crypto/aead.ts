/**
 * Symmetric encryption under a KMS key's material: AES-256-GCM with a random 96-bit IV, the blob
 * header and the canonical encryption context as additional data. Returns undefined (not throw) on
 * any authentication failure: callers turn that into InvalidCiphertextException.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeBlob, encodeBlob, encodeHeader, IV_LENGTH, TAG_LENGTH, type CiphertextParts } from './ciphertext.js';
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

export function sealBlob(input: SealInput): Buffer {
  const header = encodeHeader(input.keyId, input.materialVersion);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', input.material, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad(header, input.context));
  const ciphertext = Buffer.concat([cipher.update(input.plaintext), cipher.final()]);
  return encodeBlob({ header, iv, ciphertext, tag: cipher.getAuthTag() });
}

/** Parses a blob's header (which key, which material) without decrypting. */
export const parseBlob = decodeBlob;

export function openBlob(parts: CiphertextParts, material: Uint8Array, context: EncryptionContext | undefined): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, parts.iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad(parts.header, context));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function newMaterial(): Buffer {
  return randomBytes(32);
}

export function randomData(n: number): Buffer {
  return randomBytes(n);
}
