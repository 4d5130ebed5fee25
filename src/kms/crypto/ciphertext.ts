/**
 * The ciphertext blob Sealtrail's KMS returns (opaque to clients, as AWS's is):
 *
 *   version (1 byte, 0x02) | key id (36 ASCII bytes) | material version (uint32 BE)
 *   | key nonce (16 bytes) | IV (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)
 *
 * The key id lets Decrypt find the key without a KeyId parameter; the material version lets old
 * ciphertexts decrypt after rotation. The header (first 41 bytes) is part of the GCM additional
 * data, so changing the named key or version fails authentication like any other tamper. The key
 * nonce selects the message's own key, derived from the material (aead.ts); changing it derives
 * another key, which fails authentication too.
 *
 * Version 0x01 blobs, sealed under the material itself (no key nonce), still open.
 */
export const BLOB_VERSION = 0x02;
/** Sealed directly under the key material: opened, never written. */
export const LEGACY_BLOB_VERSION = 0x01;
const KEY_ID_LENGTH = 36;
export const KEY_NONCE_LENGTH = 16;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
export const HEADER_LENGTH = 1 + KEY_ID_LENGTH + 4;

export interface CiphertextParts {
  keyId: string;
  materialVersion: number;
  header: Buffer;
  /** The message key's derivation nonce; absent in a version 0x01 blob. */
  keyNonce?: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function encodeHeader(keyId: string, materialVersion: number): Buffer {
  if (keyId.length !== KEY_ID_LENGTH) throw new Error('key ids are 36 characters');
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = BLOB_VERSION;
  header.write(keyId, 1, 'ascii');
  header.writeUInt32BE(materialVersion, 1 + KEY_ID_LENGTH);
  return header;
}

export function encodeBlob(parts: Omit<CiphertextParts, 'keyId' | 'materialVersion'>): Buffer {
  return Buffer.concat(parts.keyNonce ? [parts.header, parts.keyNonce, parts.iv, parts.ciphertext, parts.tag] : [parts.header, parts.iv, parts.ciphertext, parts.tag]);
}

/** undefined when the bytes are not a Sealtrail ciphertext of a known version. */
export function decodeBlob(blob: Uint8Array): CiphertextParts | undefined {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = b[0];
  if (version !== BLOB_VERSION && version !== LEGACY_BLOB_VERSION) return undefined;
  const nonceLength = version === BLOB_VERSION ? KEY_NONCE_LENGTH : 0;
  const ivAt = HEADER_LENGTH + nonceLength;
  if (b.length < ivAt + IV_LENGTH + TAG_LENGTH) return undefined;
  const keyId = b.toString('ascii', 1, 1 + KEY_ID_LENGTH);
  if (!/^[0-9a-f-]{36}$/.test(keyId)) return undefined;
  return {
    keyId,
    materialVersion: b.readUInt32BE(1 + KEY_ID_LENGTH),
    header: b.subarray(0, HEADER_LENGTH),
    keyNonce: nonceLength > 0 ? b.subarray(HEADER_LENGTH, ivAt) : undefined,
    iv: b.subarray(ivAt, ivAt + IV_LENGTH),
    ciphertext: b.subarray(ivAt + IV_LENGTH, b.length - TAG_LENGTH),
    tag: b.subarray(b.length - TAG_LENGTH),
  };
}
