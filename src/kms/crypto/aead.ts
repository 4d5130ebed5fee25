/**
 * Symmetric encryption under a KMS key's material: AES-256-GCM (lib/aes-gcm.ts) with a random 96-bit IV, the blob
 * header and the canonical encryption context as additional data. Returns undefined (not throw) on
 * any authentication failure: callers turn that into InvalidCiphertextException.
 */
import { randomBytes } from 'node:crypto';
import { gcmOpen, gcmSeal, randomNonce } from '../../lib/aes-gcm.js';
import { decodeBlob, encodeBlob, encodeHeader, type CiphertextParts } from './ciphertext.js';
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
  const iv = randomNonce();
  const { ciphertext, tag } = gcmSeal(input.material, iv, input.plaintext, aad(header, input.context));
  return encodeBlob({ header, iv, ciphertext, tag });
}

/** Parses a blob's header (which key, which material) without decrypting. */
export const parseBlob = decodeBlob;

export function openBlob(parts: CiphertextParts, material: Uint8Array, context: EncryptionContext | undefined): Buffer | undefined {
  return gcmOpen(material, parts.iv, parts.ciphertext, parts.tag, aad(parts.header, context));
}

export function newMaterial(): Buffer {
  return randomBytes(32);
}

export function randomData(n: number): Buffer {
  return randomBytes(n);
}
