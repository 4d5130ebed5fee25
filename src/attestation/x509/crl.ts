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
  /**
   * The revokedCertificates list, read on the first isRevoked: a CRL comes with an
   * unauthenticated login, and its entries are read only once crlSignedBy has passed.
   */
  readonly revokedList: Tlv | undefined;
}

/** Revoked serial numbers per CRL, lower-case hex without leading zero digits ("10001" for 0x010001). */
const revokedSets = new WeakMap<Crl, ReadonlySet<string>>();

/** At most this many revoked entries are read (Intel's and AMD's lists hold a few hundred). */
export const MAX_CRL_ENTRIES = 100_000;

const isTime = (t: Tlv | undefined) => t !== undefined && (t.tag === 0x17 || t.tag === 0x18);

export function parseCrl(der: Uint8Array): Crl {
  const [tbs, algorithm, signature] = children(expectTag(parseDer(der), 0x30, 'CertificateList'));
  const fields = children(expectTag(tbs, 0x30, 'TBSCertList'));
  let i = 0;
  if (fields[i]?.tag === 0x02) i++; // version (absent in v1 CRLs)
  const innerAlgorithm = fields[i++]; // the outer AlgorithmIdentifier is authoritative and must match
  const issuer = expectTag(fields[i++], 0x30, 'issuer');
  const thisUpdate = timeMs(fields[i++]);
  const nextUpdate = isTime(fields[i]) ? timeMs(fields[i++]) : undefined;
  const revokedList = fields[i]?.tag === 0x30 ? fields[i] : undefined;
  if (oidText(children(innerAlgorithm)[0]) !== oidText(children(algorithm)[0])) throw new Error('CRL signature algorithms disagree');
  return {
    tbs: tbs.raw,
    algorithm: signatureAlgorithm(algorithm),
    signature: bitStringBytes(signature),
    issuerDer: issuer.raw,
    thisUpdate,
    nextUpdate,
    revokedList,
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
 * One form for a serial, whichever way it was written: X509Certificate.serialNumber gives whole
 * upper-case bytes ("010001"), the CRL's INTEGER whole bytes too; both become "10001".
 */
function serialKey(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** A serial (hex, as X509Certificate.serialNumber gives it) is on the list. */
export function isRevoked(crl: Crl, serialHex: string): boolean {
  return revokedSerials(crl).has(serialKey(serialHex));
}

/** Reads the revoked list of a CRL whose signature has been checked; what is wrong with it, if anything. */
export function revokedListProblem(crl: Crl): string | undefined {
  try {
    revokedSerials(crl);
    return undefined;
  } catch (err) {
    return err instanceof Error && err.message.startsWith('the CRL lists more') ? err.message : 'the CRL\'s revoked list is not valid DER';
  }
}

export function revokedSerials(crl: Crl): ReadonlySet<string> {
  let set = revokedSets.get(crl);
  if (set) return set;
  const serials = new Set<string>();
  if (crl.revokedList) {
    const entries = children(crl.revokedList);
    if (entries.length > MAX_CRL_ENTRIES) throw new Error(`the CRL lists more than ${MAX_CRL_ENTRIES} certificates`);
    for (const entry of entries) serials.add(serialKey(integerHex(children(expectTag(entry, 0x30, 'revokedCertificate'))[0])));
  }
  revokedSets.set(crl, (set = serials));
  return set;
}
