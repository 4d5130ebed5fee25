/**
 * `CiphertextForRecipient`: the plaintext as CMS EnvelopedData (RFC 5652) for the enclave's RSA
 * key, in the form AWS KMS returns and the Nitro Enclaves SDK (OpenSSL's CMS_decrypt) opens:
 *
 *   ContentInfo { id-envelopedData, [0] EnvelopedData {
 *     version 2,
 *     recipientInfos SET { KeyTransRecipientInfo {
 *       version 2, rid [0] subjectKeyIdentifier (SHA-1 of the public key bits),
 *       keyEncryptionAlgorithm id-RSAES-OAEP { sha256, mgf1(sha256) },
 *       encryptedKey RSAES-OAEP-SHA-256(content key) } },
 *     encryptedContentInfo { id-data, aes-256-cbc (IV as the parameter), [0] ciphertext } } }
 *
 * DER is valid BER, so readers expecting AWS's BER accept it.
 */
import { constants, createCipheriv, createHash, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import * as der from '../../lib/der.js';

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
  const encryptedContentInfo = der.sequence(
    der.oid(OID.data),
    der.sequence(der.oid(OID.aes256Cbc), der.octetString(iv)),
    der.implicitPrimitive(0, encryptedContent),
  );
  const envelopedData = der.sequence(der.smallInteger(2), der.set(recipientInfo), encryptedContentInfo);
  return der.sequence(der.oid(OID.envelopedData), der.explicit(0, envelopedData));
}
