/**
 * Certificate chains of DCAP evidence and collateral (PCK, PCK CRL issuer, TCB signing): leaf
 * first, as PEM. Every certificate must be valid at the verification time, every issuer a CA
 * (keyCertSign if it has a keyUsage) within its pathLenConstraint that names and signs the next
 * one, and the top a trusted root (same DER) or issued by one: a root that comes with the chain is
 * never trusted by itself.
 */
import { X509Certificate } from 'node:crypto';
import { validityAt } from '../nitro/validity.js';
import type { VerifyFailureCode } from '../types.js';
import { issuerProblem, pathLengthProblem, pemCertificateBlocks } from '../x509/index.js';

/** Intel chains have two or three certificates; more is not a DCAP chain. */
const MAX_CHAIN_CERTIFICATES = 4;

export type ChainResult =
  | { ok: true; path: X509Certificate[] }
  | { ok: false; code: VerifyFailureCode; message: string };

/** The certificates of a PEM chain, or undefined when it holds none or one does not parse. */
export function parseChainPem(text: string): X509Certificate[] | undefined {
  const blocks = pemCertificateBlocks(text);
  if (blocks.length === 0 || blocks.length > MAX_CHAIN_CERTIFICATES) return undefined;
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    return undefined;
  }
}

/** A certificate's place in a chain of `count`, leaf first, for messages (chains may be crafted). */
const nameOf = (i: number, count: number) => (i === 0 ? 'the leaf certificate' : i === count - 1 ? 'the top certificate' : `intermediate certificate ${i}`);

/** Verifies `certs` (leaf first) up to a trusted root; `what` names the chain in messages. */
export function verifyChain(what: string, certs: readonly X509Certificate[], trustedRoots: readonly X509Certificate[], now: number): ChainResult {
  const fail = (code: VerifyFailureCode, message: string): ChainResult => ({ ok: false, code, message: `${what}: ${message}` });
  for (const [i, cert] of certs.entries()) {
    const state = validityAt(cert, now);
    if (state === 'expired') return fail('certificate_expired', `${nameOf(i, certs.length)} has expired at the verification time`);
    if (state === 'not_yet_valid') return fail('certificate_not_yet_valid', `${nameOf(i, certs.length)} is not yet valid at the verification time`);
    if (state === 'unreadable') return fail('malformed', `${nameOf(i, certs.length)} has an unreadable validity period`);
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const problem = issuerProblem(certs[i + 1], nameOf(i + 1, certs.length));
    if (problem) return fail('not_ca', problem);
    if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey)) {
      return fail('bad_chain', `${nameOf(i, certs.length)} is not signed by the next certificate in the chain`);
    }
  }
  const withinPathLength = (path: X509Certificate[]): ChainResult => {
    const problem = pathLengthProblem(path, (i) => (i < certs.length ? nameOf(i, certs.length) : 'the trusted root'));
    return problem ? fail('not_ca', problem) : { ok: true, path };
  };
  const top = certs[certs.length - 1];
  if (trustedRoots.some((root) => root.raw.equals(top.raw))) return withinPathLength([...certs]);
  for (const root of trustedRoots) {
    // A trusted root that may not issue certificates is no issuer of the top.
    if (!issuerProblem(root, 'the trusted root') && validityAt(root, now) === 'ok' && top.checkIssued(root) && top.verify(root.publicKey)) {
      return withinPathLength([...certs, root]);
    }
  }
  return fail('untrusted_root', 'the chain does not end in a trusted root');
}
