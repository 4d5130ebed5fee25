/**
 * X.509 CRLs (RFC 5280 §5), which node:crypto cannot read: parsed far enough to check the
 * issuer's signature over tbsCertList, the update window, and whether a serial is revoked.
 * Signatures: ECDSA with SHA-256/384 (Intel PCS) and RSASSA-PSS or RSA PKCS#1 v1.5 (AMD KDS).
 */
import { X509Certificate } from 'node:crypto';
import { bitStringBytes, children, expectTag, integerHex, oidText, parseDer, timeMs, type Tlv } from '../../lib/der-reader.js';
import { verifySignature, type SignatureAlgorithm, signatureAlgorithm } from './signature.js';

export interface Crl {
  /** The signed bytes (tbsCertList, whole TLV). */
  tbs: Uint8Array;
  algorithm: SignatureAlgorithm;
  signature: Uint8Array;
  /** The issuer Name's DER, to compare with a certificate's subject. */
  issuerDer: Uint8Array;
  thisUpdate: number;
  /** ms since the epoch; undefined when the CRL states none. */
  nextUpdate: number | undefined;
  /** Revoked serial numbers, lower-case hex without leading zeros. */
  revoked: ReadonlySet<string>;
}

const isTime = (t: Tlv | undefined) => t !== undefined && (t.tag === 0x17 || t.tag === 0x18);

export function parseCrl(der: Uint8Array): Crl {
  const [tbs, algorithm, signature] = children(expectTag(parseDer(der), 0x30, 'CertificateList'));
  const fields = children(expectTag(tbs, 0x30, 'TBSCertList'));
  let i = 0;
  if (fields[i]?.tag === 0x02) i++; // version
  i++; // signature AlgorithmIdentifier (the outer one is authoritative and must match)
  const issuer = expectTag(fields[i++], 0x30, 'issuer');
  const thisUpdate = timeMs(fields[i++]);
  const nextUpdate = isTime(fields[i]) ? timeMs(fields[i++]) : undefined;
  const revoked = new Set<string>();
  if (fields[i]?.tag === 0x30) {
    for (const entry of children(fields[i])) revoked.add(canonicalSerial(integerHex(children(expectTag(entry, 0x30, 'revokedCertificate'))[0])));
  }
  if (oidText(children(fields[1])[0]) !== oidText(children(algorithm)[0])) throw new Error('CRL signature algorithms disagree');
  return {
    tbs: tbs.raw,
    algorithm: signatureAlgorithm(algorithm),
    signature: bitStringBytes(signature),
    issuerDer: issuer.raw,
    thisUpdate,
    nextUpdate,
    revoked,
  };
}

/** The DER of a certificate's subject Name (the issuer of what it signs). */
export function subjectDer(certificate: X509Certificate): Uint8Array {
  const [tbs] = children(parseDer(certificate.raw));
  const fields = children(tbs);
  const offset = fields[0].tag === 0xa0 ? 1 : 0; // [0] version
  return fields[offset + 4].raw; // serial, signature, issuer, validity, subject
}

/** Whether `issuer` signed this CRL (its name and its key). */
export function crlSignedBy(crl: Crl, issuer: X509Certificate): boolean {
  if (!Buffer.from(subjectDer(issuer)).equals(crl.issuerDer)) return false;
  return verifySignature(crl.algorithm, issuer.publicKey, crl.tbs, crl.signature);
}

/**
 * One spelling per serial: lower-case hex without leading zero digits. Both sides of the lookup
 * use it, so "0702…" from the CRL's DER and "702…" or "00702…" from elsewhere are the same serial.
 */
const canonicalSerial = (hex: string) => hex.toLowerCase().replace(/^0+(?=.)/, '');

/** A serial (hex in any case, as X509Certificate.serialNumber gives it upper-case) is on the list. */
export function isRevoked(crl: Crl, serialHex: string): boolean {
  return crl.revoked.has(canonicalSerial(serialHex));
}
