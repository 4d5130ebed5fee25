/** The real DCAP fixtures (test/fixtures/tdx, test/fixtures/sgx; see their READMEs) and crafted PKI pieces. */
import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildCertificate, type DistinguishedName } from '../../../src/attestation/dev-enclave/certificate.js';
import type { DcapCollateral } from '../../../src/attestation/types.js';
import * as der from '../../../src/lib/der.js';

export const DAY = 86_400_000;

export interface DcapFixture {
  quote: Buffer;
  collateral: DcapCollateral;
  rootDer: Buffer;
  /** Inside every item's validity window. */
  now: number;
  windowStart: number;
  windowEnd: number;
}

function load(dir: string, name: string, start: string, end: string): DcapFixture {
  const base = new URL(`../../fixtures/${dir}/`, import.meta.url);
  return {
    quote: readFileSync(new URL(name, base)),
    collateral: JSON.parse(readFileSync(new URL(`${name}_collateral.json`, base), 'utf8')),
    rootDer: readFileSync(new URL('TrustedRootCA.der', base)),
    now: Date.parse('2025-07-01T00:00:00Z'),
    windowStart: Date.parse(start),
    windowEnd: Date.parse(end),
  };
}

/** Fresh copies each call: tests flip bytes. */
export const tdxFixture = () => load('tdx/01_phala_tdx_v4_uptodate', 'tdx_quote', '2025-06-19T10:32:27Z', '2025-07-19T10:00:35Z');
export const sgxFixture = () => load('sgx/01_phala_sgx_v3', 'sgx_quote', '2025-06-19T10:56:11Z', '2025-07-19T10:01:18Z');

export const rootPem = (f: DcapFixture) => new X509Certificate(f.rootDer).toString();

/** Offsets in the fixtures: header 48, then the body; the QE report follows the signature and key. */
export const BODY_OFFSET = 48;
export const TDX_QE_REPORT_OFFSET = 48 + 584 + 4 + 64 + 64 + 6; // v4: inside certification data type 6
export const SGX_QE_REPORT_OFFSET = 48 + 384 + 4 + 64 + 64;

export function flipped(bytes: Buffer, offset: number, mask = 0x01): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] ^= mask;
  return copy;
}

const ecdsaSha384 = der.sequence(der.oid('1.2.840.10045.4.3.3'));

/** A v2 CRL (DER) with the given issuer Name DER, signed ECDSA/SHA-384 by `key`. */
export function buildCrl(issuerNameDer: Uint8Array, key: KeyObject, serialsHex: string[], thisUpdate: number, nextUpdate: number, revokedList?: Uint8Array): Buffer {
  const revoked = serialsHex.map((s) => der.sequence(der.unsignedInteger(Buffer.from(s, 'hex')), der.time(thisUpdate)));
  const list = revokedList ?? (revoked.length > 0 ? der.sequence(...revoked) : undefined);
  const tbs = der.sequence(
    der.smallInteger(1), ecdsaSha384, issuerNameDer, der.time(thisUpdate), der.time(nextUpdate),
    ...(list ? [list] : []),
  );
  return der.sequence(tbs, ecdsaSha384, der.bitString(sign('sha384', tbs, key)));
}

export const p384 = () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' });

/** A test root → CA → leaf, P-384, valid from `from` for a year, with the CA's and root's keys. */
export function testPki(from: number) {
  const root = p384();
  const ca = p384();
  const leaf = p384();
  const dn = (CN: string): DistinguishedName => ({ C: 'US', O: 'Sealtrail test', CN });
  const span = { notBefore: from, notAfter: from + 365 * DAY };
  const rootCert = new X509Certificate(buildCertificate({
    subject: dn('test root'), issuer: dn('test root'), subjectKey: root.publicKey, issuerPublicKey: root.publicKey, issuerPrivateKey: root.privateKey, ca: true, ...span,
  }));
  const caCert = new X509Certificate(buildCertificate({
    subject: dn('test PCK CA'), issuer: dn('test root'), subjectKey: ca.publicKey, issuerPublicKey: root.publicKey, issuerPrivateKey: root.privateKey, ca: true, ...span,
  }));
  const leafCert = new X509Certificate(buildCertificate({
    subject: dn('test PCK'), issuer: dn('test PCK CA'), subjectKey: leaf.publicKey, issuerPublicKey: ca.publicKey, issuerPrivateKey: ca.privateKey, ca: false, ...span,
  }));
  return { rootCert, caCert, leafCert, rootKey: root.privateKey, caKey: ca.privateKey };
}
