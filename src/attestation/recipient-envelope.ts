/**
 * An answer only an enclave can read: the plaintext as CMS EnvelopedData (RFC 5652) for the RSA
 * key in the enclave's attestation document, in the form AWS KMS returns as
 * `CiphertextForRecipient`, which the Nitro Enclaves SDK (kmstool) and OpenSSL's CMS_decrypt
 * open. KMS seals its results this way, and an attestation login its token when the role says so:
 *
 *   ContentInfo { id-envelopedData, [0] EnvelopedData {
 *     version 2,
 *     recipientInfos SET { KeyTransRecipientInfo {
 *       version 2, rid [0] subjectKeyIdentifier (SHA-1 of the public key bits),
 *       keyEncryptionAlgorithm id-RSAES-OAEP { sha256, mgf1(sha256) },
 *       encryptedKey RSAES-OAEP-SHA-256(content key) } },
 *     encryptedContentInfo { id-data, aes-256-cbc (IV as the parameter), [0] ciphertext } } }
 *
 * It is BER as AWS writes it: ContentInfo, its [0], EnvelopedData, EncryptedContentInfo and the
 * [0] ciphertext have indefinite lengths, the ciphertext is OCTET STRING segments of 1000 bytes,
 * everything else is DER. The SDK's parser walks into those five by their headers alone, so it
 * reads nothing else (a DER envelope fails in kmstool).
 */
import { constants, createCipheriv, createDecipheriv, createHash, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import * as der from '../lib/der.js';
import { children, DerError, expectTag, oidText, parseDer, readTlv, smallUnsigned, type Tlv } from '../lib/der-reader.js';

const MAX_PUBLIC_EXPONENT = 2n ** 31n - 1n;

/**
 * The key an attestation document's `public_key` names, when it can receive an envelope: a
 * DER-encoded SubjectPublicKeyInfo of an RSA key of at least 2048 bits. The enclave picks its
 * key, and the exponent sets what one OAEP encryption costs (a 3072-bit exponent makes it ~6 ms
 * of the answering thread instead of ~0.05 ms); enclave SDKs use 65537, the bound is Go's
 * crypto/rsa's (2 < e < 2^31, odd).
 */
export function recipientPublicKey(spki: Uint8Array): { ok: true; key: KeyObject } | { ok: false; message: string } {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, message: 'is not a DER-encoded SubjectPublicKeyInfo' };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048) return { ok: false, message: 'must be an RSA key of at least 2048 bits' };
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (exponent <= 2n || exponent > MAX_PUBLIC_EXPONENT || exponent % 2n === 0n) {
    return { ok: false, message: 'must have an odd public exponent between 3 and 2^31 - 1' };
  }
  return { ok: true, key };
}

const OID = {
  envelopedData: '1.2.840.113549.1.7.3',
  data: '1.2.840.113549.1.7.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

/** RSAES-OAEP-params with SHA-256 for both the hash and MGF1 (pSourceAlgorithm left at its default). */
function oaepSha256Algorithm(): Buffer {
  const sha256 = der.sequence(der.oid(OID.sha256), der.nullValue());
  return der.sequence(
    der.oid(OID.rsaesOaep),
    der.sequence(der.explicit(0, sha256), der.explicit(1, der.sequence(der.oid(OID.mgf1), sha256))),
  );
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
export function subjectKeyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }; the BIT STRING is the last element.
  const bitString = lastElement(spki);
  return createHash('sha1').update(bitString.subarray(1)).digest(); // skip the unused-bits byte
}

function lastElement(seq: Buffer): Buffer {
  let i = headerLength(seq, 0);
  let last: Buffer = Buffer.alloc(0);
  while (i < seq.length) {
    const h = headerLength(seq, i);
    const len = contentLength(seq, i);
    last = seq.subarray(i + h, i + h + len);
    i += h + len;
  }
  return last;
}

function headerLength(b: Buffer, at: number): number {
  const first = b[at + 1];
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(b: Buffer, at: number): number {
  const first = b[at + 1];
  if (first < 0x80) return first;
  let n = 0;
  for (let k = 0; k < (first & 0x7f); k++) n = n * 256 + b[at + 2 + k];
  return n;
}

export function envelopeForRecipient(publicKey: KeyObject, plaintext: Uint8Array): Buffer {
  const contentKey = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', contentKey, iv);
  const encryptedContent = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, contentKey);
  contentKey.fill(0);

  const recipientInfo = der.sequence(
    der.smallInteger(2),
    der.implicitPrimitive(0, subjectKeyIdentifier(publicKey)),
    oaepSha256Algorithm(),
    der.octetString(encryptedKey),
  );
  const encryptedContentInfo = indefinite(0x30,
    der.oid(OID.data),
    der.sequence(der.oid(OID.aes256Cbc), der.octetString(iv)),
    indefinite(0xa0, ...segments(encryptedContent)),
  );
  const envelopedData = indefinite(0x30, der.smallInteger(2), der.set(recipientInfo), encryptedContentInfo);
  return indefinite(0x30, der.oid(OID.envelopedData), indefinite(0xa0, envelopedData));
}

/** A constructed value in BER's indefinite-length form: header, children, end-of-contents. */
function indefinite(tag: number, ...children: Uint8Array[]): Buffer {
  return Buffer.concat([Uint8Array.of(tag, 0x80), ...children, Uint8Array.of(0, 0)]);
}

/** The constructed form of an OCTET STRING's content: OCTET STRINGs of at most 1000 bytes (CER's size). */
function segments(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += SEGMENT) out.push(der.octetString(bytes.subarray(i, i + SEGMENT)));
  return out;
}

const SEGMENT = 1000;
const MAX_DEPTH = 32;

/** BER (AWS's CMS, or this module's) with its indefinite lengths made definite, for the DER reader. */
function withDefiniteLengths(bytes: Uint8Array): Buffer {
  const { value, next } = definiteValue(bytes, 0, 0);
  if (next !== bytes.length) throw new DerError('trailing bytes after BER value');
  return value;
}

function definiteValue(bytes: Uint8Array, at: number, depth: number): { value: Buffer; next: number } {
  if (depth > MAX_DEPTH) throw new DerError('BER nesting too deep');
  if (at + 2 > bytes.length) throw new DerError('truncated BER value');
  if (bytes[at + 1] !== 0x80) {
    const { tlv, next } = readTlv(bytes, at);
    return { value: Buffer.from(tlv.raw), next };
  }
  if (!(bytes[at] & 0x20)) throw new DerError('indefinite length on a primitive value');
  const parts: Buffer[] = [];
  let i = at + 2;
  while (!(bytes[i] === 0 && bytes[i + 1] === 0)) {
    const child = definiteValue(bytes, i, depth + 1);
    parts.push(child.value);
    i = child.next;
  }
  if (i + 2 > bytes.length) throw new DerError('truncated BER value');
  return { value: der.tlv(bytes[at], Buffer.concat(parts)), next: i + 2 };
}

/** The ciphertext of [0] encryptedContent, primitive (DER) or constructed of OCTET STRING segments (BER). */
function contentBytes(content: Tlv): Buffer {
  if (content.tag === 0x80) return Buffer.from(content.content);
  return Buffer.concat(children(expectTag(content, 0xa0, 'encryptedContent')).map((part) => expectTag(part, 0x04, 'segment').content));
}

/**
 * The plaintext of an envelope made for `privateKey`'s public half (what an enclave does with a
 * bound login answer, or with KMS's CiphertextForRecipient); undefined when it is not such an
 * envelope or does not open with that key.
 */
export function openEnvelope(privateKey: KeyObject, envelope: Uint8Array): Buffer | undefined {
  try {
    const [type, wrapped] = children(expectTag(parseDer(withDefiniteLengths(envelope)), 0x30, 'ContentInfo'));
    if (oidText(type) !== OID.envelopedData) return undefined;
    const [, recipientInfos, encryptedContentInfo] = children(children(expectTag(wrapped, 0xa0, 'content'))[0]);
    const [version, rid, algorithm, encryptedKey] = children(children(expectTag(recipientInfos, 0x31, 'recipientInfos'))[0]);
    if (smallUnsigned(version) !== 2 || oidText(children(algorithm)[0]) !== OID.rsaesOaep) return undefined;
    const publicKey = createPublicKey(privateKey);
    if (!Buffer.from(expectTag(rid, 0x80, 'rid').content).equals(subjectKeyIdentifier(publicKey))) return undefined;
    const [contentType, contentAlgorithm, content] = children(encryptedContentInfo);
    const [cipherOid, iv] = children(contentAlgorithm);
    if (oidText(contentType) !== OID.data || oidText(cipherOid) !== OID.aes256Cbc) return undefined;
    const contentKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, expectTag(encryptedKey, 0x04, 'encryptedKey').content);
    try {
      const decipher = createDecipheriv('aes-256-cbc', contentKey, expectTag(iv, 0x04, 'iv').content);
      return Buffer.concat([decipher.update(contentBytes(content)), decipher.final()]);
    } finally {
      contentKey.fill(0);
    }
  } catch {
    // Malformed DER (DerError), a missing element, a key that does not decrypt, bad padding.
    return undefined;
  }
}
