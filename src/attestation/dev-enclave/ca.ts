/**
 * The development enclave's test CA: a P-384 root and an intermediate, shaped like the AWS chain
 * (root → intermediate → a short-lived leaf per enclave), so documents it issues exercise every
 * check of the real verifier. Only servers that trust this root accept them.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { buildCertificate } from './certificate.js';

/** What is persisted: PEM text only (the keys as PKCS#8). */
export interface DevCaMaterial {
  rootCertPem: string;
  rootKeyPem: string;
  intermediateCertPem: string;
  intermediateKeyPem: string;
}

export interface DevCa {
  readonly material: DevCaMaterial;
  readonly root: X509Certificate;
  readonly intermediate: X509Certificate;
  /** A fresh leaf key and certificate valid for `leafValidityMs` from `now` (Nitro's live ~3 h). */
  issueLeaf(now: number, commonName: string): { certificateDer: Uint8Array; privateKey: KeyObject; notAfter: number };
}

export interface CreateDevCaOptions {
  clock: Clock;
  /** Shown in the certificates' subjects; default "sealtrail-dev-enclave". */
  name?: string;
  /** Root and intermediate lifetime; default 10 years. */
  validityMs?: number;
}

const HOUR = 3_600_000;
const TEN_YEARS = 10 * 365 * 24 * HOUR;
export const DEV_LEAF_VALIDITY_MS = 3 * HOUR;
const ORG = { C: 'US', O: 'Sealtrail', OU: 'development enclave' };

const newKey = () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const pem = (der: Uint8Array) => new X509Certificate(der).toString();

/** A new CA. The root and intermediate start an hour in the past to tolerate clock skew. */
export function createDevCa(options: CreateDevCaOptions): DevCa {
  const now = options.clock.now();
  const cn = options.name ?? 'sealtrail-dev-enclave';
  const notBefore = now - HOUR;
  const notAfter = now + (options.validityMs ?? TEN_YEARS);
  const root = newKey();
  const intermediate = newKey();
  const rootDn = { ...ORG, CN: `${cn} root` };
  const rootDer = buildCertificate({
    subject: rootDn, issuer: rootDn, subjectKey: root.publicKey, issuerPublicKey: root.publicKey, issuerPrivateKey: root.privateKey,
    notBefore, notAfter, ca: true,
  });
  const intermediateDer = buildCertificate({
    subject: { ...ORG, CN: `${cn} intermediate` }, issuer: rootDn, subjectKey: intermediate.publicKey,
    issuerPublicKey: root.publicKey, issuerPrivateKey: root.privateKey, notBefore, notAfter, ca: true, pathLength: 0,
  });
  return loadDevCa({
    rootCertPem: pem(rootDer),
    rootKeyPem: root.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    intermediateCertPem: pem(intermediateDer),
    intermediateKeyPem: intermediate.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  });
}

/** A CA from persisted material (the root key is not needed to issue, only kept with it). */
export function loadDevCa(material: DevCaMaterial): DevCa {
  const root = new X509Certificate(material.rootCertPem);
  const intermediate = new X509Certificate(material.intermediateCertPem);
  const intermediateKey = createPrivateKey(material.intermediateKeyPem);
  if (!intermediate.checkPrivateKey(intermediateKey)) throw new Error('dev CA: the intermediate key does not match its certificate');
  const intermediateDn = { ...ORG, CN: dnValue(intermediate.subject, 'CN') };
  return {
    material,
    root,
    intermediate,
    issueLeaf(now, commonName) {
      const leaf = newKey();
      const notAfter = now + DEV_LEAF_VALIDITY_MS;
      const certificateDer = buildCertificate({
        subject: { ...ORG, CN: commonName }, issuer: intermediateDn, subjectKey: leaf.publicKey,
        issuerPublicKey: createPublicKey(intermediateKey), issuerPrivateKey: intermediateKey,
        notBefore: now - 60_000, notAfter, ca: false,
      });
      return { certificateDer, privateKey: leaf.privateKey, notAfter };
    },
  };
}

function dnValue(subject: string, key: string): string {
  const line = subject.split('\n').find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`dev CA: certificate subject has no ${key}`);
  return line.slice(key.length + 1);
}
