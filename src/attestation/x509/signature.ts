/**
 * X.509 signature algorithms by AlgorithmIdentifier, checked with node:crypto: the few the
 * attestation vendors use. Anything else is refused, not guessed.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { children, oidText, smallUnsigned, type Tlv } from '../../lib/der-reader.js';

export type SignatureAlgorithm =
  | { kind: 'ecdsa'; hash: 'sha256' | 'sha384' }
  | { kind: 'rsa-pkcs1'; hash: 'sha256' | 'sha384' }
  | { kind: 'rsa-pss'; hash: 'sha256' | 'sha384'; saltLength: number };

const BY_OID: Record<string, SignatureAlgorithm> = {
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.113549.1.1.11': { kind: 'rsa-pkcs1', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa-pkcs1', hash: 'sha384' },
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const HASH_BY_OID: Record<string, 'sha256' | 'sha384'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
};

export function signatureAlgorithm(identifier: Tlv): SignatureAlgorithm {
  const [id, params] = children(identifier);
  const oid = oidText(id);
  if (oid !== RSASSA_PSS) {
    const known = BY_OID[oid];
    if (!known) throw new Error(`unsupported signature algorithm ${oid}`);
    return known;
  }
  // RSASSA-PSS-params: [0] hashAlgorithm, [1] maskGenAlgorithm (MGF1 with the same hash), [2] saltLength.
  let hash: 'sha256' | 'sha384' | undefined;
  let saltLength = 20;
  for (const field of params ? children(params) : []) {
    if (field.tag === 0xa0) hash = HASH_BY_OID[oidText(children(children(field)[0])[0])];
    if (field.tag === 0xa2) saltLength = smallUnsigned(children(field)[0]);
  }
  if (!hash) throw new Error('unsupported RSASSA-PSS hash');
  return { kind: 'rsa-pss', hash, saltLength };
}

/** Checks `signature` over `data`; ECDSA signatures are DER (X.509's form). */
export function verifySignature(algorithm: SignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (algorithm.kind === 'ecdsa') return verify(algorithm.hash, data, { key, dsaEncoding: 'der' }, signature);
    if (algorithm.kind === 'rsa-pkcs1') return verify(algorithm.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return verify(algorithm.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }, signature);
  } catch {
    return false; // a key of the wrong type for the algorithm
  }
}
