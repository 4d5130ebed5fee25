/** Pieces shared by the cryptographic operations: encryption context, algorithm, sealing, recipients. */
import { newMaterial, openBlob, parseBlob, sealBlob } from '../crypto/aead.js';
import type { EncryptionContext } from '../crypto/encryption-context.js';
import { kmsError, validationError } from '../errors.js';
import { keyMaterialId } from '../keys/material-id.js';
import { currentMaterial, type KmsKeyRecord } from '../keys/model.js';
import { conditionMap, pairConditions, type ConditionValue } from '../policy/index.js';
import { readRecipient, verifyRecipient, type VerifiedRecipient } from '../recipient/attestation.js';
import type { KmsCall, KmsServices } from './context.js';
import { optString, optStringMap, type AwsBody } from './input.js';
import { rotateIfDue } from './key-access.js';

const ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'];

/** How AWS names a member in a validation message (`encryptionContext`). */
const wireName = (member: string) => member[0].toLowerCase() + member.slice(1);

/**
 * The most an encryption context holds, keys and values together in UTF-8 bytes. Key policy
 * conditions match each of its strings against wildcard patterns, at a cost of up to string length
 * × pattern length (policy/wildcard.ts); with policies at most 32 KiB, the worst policy a key owner
 * can write costs about 8 Ki × 32 Ki character comparisons per call to that key. Real contexts
 * name a few identifiers.
 */
const MAX_CONTEXT_BYTES = 8192;

export function readContext(body: AwsBody, member = 'EncryptionContext'): Record<string, string> | undefined {
  const context = optStringMap(body, member);
  if (!context) return undefined;
  let bytes = 0;
  for (const [k, v] of Object.entries(context)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (bytes > MAX_CONTEXT_BYTES) {
    throw validationError([{ member: wireName(member), constraint: `Member must hold keys and values of at most ${MAX_CONTEXT_BYTES} bytes in total` }]);
  }
  return context;
}

/** Only SYMMETRIC_DEFAULT applies to symmetric keys; other valid values are a key-usage error. */
export function checkAlgorithm(body: AwsBody, member = 'EncryptionAlgorithm'): void {
  const alg = optString(body, member);
  if (alg === undefined || alg === 'SYMMETRIC_DEFAULT') return;
  if (!ALGORITHMS.includes(alg)) throw validationError([{ member: wireName(member), value: alg, constraint: `Member must satisfy enum value set: [${ALGORITHMS.join(', ')}]` }]);
  throw kmsError('InvalidKeyUsageException', `The encryption algorithm ${alg} is not supported by a symmetric key. Use SYMMETRIC_DEFAULT.`);
}

/** `kms:EncryptionContext:<key>` and `kms:EncryptionContextKeys` condition values. */
export function contextConditions(context: EncryptionContext | undefined): Record<string, ConditionValue> {
  const out = context ? pairConditions('kms:encryptioncontext:', Object.entries(context)) : conditionMap();
  if (context) out['kms:encryptioncontextkeys'] = Object.keys(context);
  return out;
}

/**
 * The condition keys of a cryptographic operation: its encryption context, and its encryption
 * algorithm, which AWS presents whether sent or defaulted (checkAlgorithm leaves only this one).
 */
export function cryptoConditions(context: EncryptionContext | undefined): Record<string, ConditionValue> {
  const out = contextConditions(context);
  out['kms:encryptionalgorithm'] = 'SYMMETRIC_DEFAULT';
  return out;
}

/** A blob sealed under the key's current material, and that material's id for the event. */
export async function sealWithKey(svc: KmsServices, key: KmsKeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined): Promise<{ blob: Buffer; keyMaterialId: string }> {
  const current = currentMaterial(await rotateIfDue(svc, key, newMaterial));
  const blob = sealBlob({ keyId: key.keyId, materialVersion: current.version, material: Buffer.from(current.key, 'base64'), plaintext, context });
  return { blob, keyMaterialId: keyMaterialId(key.keyId, current) };
}

export function checkBlobLength(blob: Buffer | undefined, member: string): Buffer {
  if (!blob) throw validationError([{ member, value: null, constraint: 'Member must not be null' }]);
  if (blob.length < 1) throw validationError([{ member, constraint: 'Member must have length greater than or equal to 1' }]);
  if (blob.length > 6144) throw validationError([{ member, constraint: 'Member must have length less than or equal to 6144' }]);
  return blob;
}

/** The key id a ciphertext names; InvalidCiphertextException when it is not one of ours. */
export function blobKeyId(blob: Buffer): string {
  const parts = parseBlob(blob);
  if (!parts) throw kmsError('InvalidCiphertextException');
  return parts.keyId;
}

/**
 * Decrypts under the material version the blob names, returning that material's id for the event;
 * wrong context or tamper → InvalidCiphertextException.
 */
export function openWithKey(key: KmsKeyRecord, blob: Buffer, context: EncryptionContext | undefined): { plaintext: Buffer; keyMaterialId: string } {
  const parts = parseBlob(blob);
  const material = parts && key.materials.find((m) => m.version === parts.materialVersion);
  const plaintext = parts && material ? openBlob(parts, Buffer.from(material.key, 'base64'), context) : undefined;
  if (!plaintext || !material) throw kmsError('InvalidCiphertextException');
  return { plaintext, keyMaterialId: keyMaterialId(key.keyId, material) };
}

/** Verifies the Recipient (if any) and records its identity for the CloudTrail event. */
export function recipientOf(call: KmsCall, svc: KmsServices): VerifiedRecipient | undefined {
  const input = readRecipient(call.body);
  if (!input) return undefined;
  const verified = verifyRecipient(input.document, svc.recipient);
  call.notes.recipient = verified.eventData;
  return verified;
}
