/**
 * The trail's crypto in one place: SHA-256 of files, SHA256withRSA (PKCS#1 v1.5) signatures over
 * digest strings, RSA-2048 key generation, and public key encodings as CloudTrail publishes them
 * (ListPublicKeys `Value` = DER PKCS#1 RSAPublicKey; the fingerprint = hex MD5 of that DER, the
 * 32-hex-digit form `digestPublicKeyFingerprint` carries).
 */
import { createHash, createPublicKey, createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export interface GeneratedSigningKey {
  privateKeyPem: string;
  /** DER PKCS#1 RSAPublicKey. */
  publicKeyDer: Buffer;
}

export function generateRsaSigningKey(): GeneratedSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyDer: publicKey.export({ format: 'der', type: 'pkcs1' }),
  };
}

export const publicKeyFingerprint = (publicKeyDer: Uint8Array): string => createHash('md5').update(publicKeyDer).digest('hex');

/** A public key from DER PKCS#1, DER SPKI or PEM text. */
export function importPublicKey(key: Uint8Array | string): KeyObject {
  if (typeof key === 'string') return createPublicKey(key);
  try {
    return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
  }
}

/** DER PKCS#1 of any public key (what fingerprints are computed over). */
export const pkcs1Der = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'pkcs1' });

export const publicKeyPem = (key: KeyObject): string => key.export({ format: 'pem', type: 'spki' }).toString();

/** SHA256withRSA signature, hex encoded (as CloudTrail stores it in x-amz-meta-signature). */
export function signHex(privateKeyPem: string, data: string): string {
  return createSign('RSA-SHA256').update(data, 'utf8').sign(privateKeyPem, 'hex');
}

/** True when `signatureHex` is a valid SHA256withRSA signature of `data`; never throws. */
export function verifyHex(publicKey: KeyObject, data: string, signatureHex: string): boolean {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  try {
    return createVerify('RSA-SHA256').update(data, 'utf8').verify(publicKey, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
