/**
 * Certificate chains of DCAP evidence and collateral (PCK, PCK CRL issuer, TCB signing): leaf
 * first, as PEM. Every certificate must be valid at the verification time, every issuer a CA
 * (keyCertSign if it has a keyUsage) within its pathLenConstraint that names and signs the next
 * one, no certificate may carry a critical extension left unprocessed, and the top must be a
 * trusted root (same DER) or issued by one: a root that comes with the chain is never trusted by
 * itself. Signatures are checked from the trusted root down (x509/anchored-path.ts): no key of
 * the quote's chain verifies anything before it is trusted.
 */
import { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { pemCertificateBlocks, verifyAnchoredPath } from '../x509/index.js';

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

/**
 * Verifies `certs` (leaf first) up to a trusted root; `what` names the chain in messages,
 * `leafExtensions` the extensions the caller reads from the leaf (the PCK certificate's SGX ones).
 */
export function verifyChain(what: string, certs: readonly X509Certificate[], trustedRoots: readonly X509Certificate[], now: number, leafExtensions: readonly string[] = []): ChainResult {
  const fail = (code: VerifyFailureCode, message: string): ChainResult => ({ ok: false, code, message: `${what}: ${message}` });
  const anchored = verifyAnchoredPath(certs, {
    trustedRoots, now, nameOf: (i) => nameOf(i, certs.length), untrustedMessage: 'the chain does not end in a trusted root', leafExtensions,
  });
  return anchored.ok ? anchored : fail(anchored.code, anchored.message);
}
