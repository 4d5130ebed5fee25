/**
 * Builds X.509 v3 certificates with ECDSA P-384 / SHA-384 signatures — the same profile as the
 * AWS Nitro chain — for the development enclave's test CA. node:crypto can parse certificates
 * but not create them; this is the smallest correct builder (RFC 5280) for that one profile.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from '../../lib/der.js';

const OID = {
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

export interface DistinguishedName {
  C?: string;
  O?: string;
  OU?: string;
  CN: string;
}

export interface CertificateSpec {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  subjectKey: KeyObject;
  /** The issuer's public key (the subject's own for a self-signed root). */
  issuerPublicKey: KeyObject;
  issuerPrivateKey: KeyObject;
  notBefore: number;
  notAfter: number;
  /** CA certificates get CA:TRUE and keyCertSign/cRLSign; others digitalSignature only. */
  ca: boolean;
  pathLength?: number;
  /** The keyUsage extnValue (a DER BIT STRING) in place of the one `ca` implies; null leaves the extension out. */
  keyUsage?: Uint8Array | null;
}

function name(dn: DistinguishedName): Uint8Array {
  const rdn = (type: string, value: Uint8Array) => der.set(der.sequence(der.oid(type), value));
  const parts: Uint8Array[] = [];
  if (dn.C) parts.push(rdn(OID.countryName, der.printableString(dn.C)));
  if (dn.O) parts.push(rdn(OID.organizationName, der.utf8String(dn.O)));
  if (dn.OU) parts.push(rdn(OID.organizationalUnitName, der.utf8String(dn.OU)));
  parts.push(rdn(OID.commonName, der.utf8String(dn.CN)));
  return der.sequence(...parts);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function keyIdentifier(key: KeyObject): Uint8Array {
  const spki = key.export({ type: 'spki', format: 'der' });
  // For EC keys the SPKI ends with the BIT STRING: 0x00 padding then the uncompressed point (97 bytes for P-384).
  const point = spki.subarray(spki.length - 97);
  return createHash('sha1').update(point).digest();
}

function extension(type: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? der.sequence(der.oid(type), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(type), der.octetString(value));
}

function extensions(spec: CertificateSpec): Uint8Array {
  const basic = spec.ca
    ? der.sequence(der.boolean(true), ...(spec.pathLength !== undefined ? [der.smallInteger(spec.pathLength)] : []))
    : der.sequence();
  // keyUsage bits: digitalSignature = bit 0 (0x80); keyCertSign = bit 5, cRLSign = bit 6 (0x06, 1 unused bit).
  const usage = spec.keyUsage !== undefined ? spec.keyUsage : spec.ca ? der.bitString(Uint8Array.of(0x06), 1) : der.bitString(Uint8Array.of(0x80), 7);
  return der.explicit(3, der.sequence(
    extension(OID.basicConstraints, true, basic),
    ...(usage ? [extension(OID.keyUsage, true, usage)] : []),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(spec.subjectKey))),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, keyIdentifier(spec.issuerPublicKey)))),
  ));
}

/** The certificate, DER-encoded. */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  if (spec.subjectKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') throw new Error('dev CA certificates use EC P-384 keys');
  const algorithm = der.sequence(der.oid(OID.ecdsaWithSha384));
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive serial of at most 20 octets (RFC 5280 §4.1.2.2)
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serial),
    algorithm,
    name(spec.issuer),
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    name(spec.subject),
    spec.subjectKey.export({ type: 'spki', format: 'der' }),
    extensions(spec),
  );
  const signature = sign('sha384', tbs, spec.issuerPrivateKey);
  return der.sequence(tbs, algorithm, der.bitString(signature));
}
