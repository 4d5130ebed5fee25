/**
 * The certificate chain of a Nitro document: leaf → cabundle reversed (the bundle lists the root
 * first) → a trusted root. Every certificate must be valid at the verification time, every issuer
 * must be a CA (basicConstraints CA:TRUE, keyCertSign if it has a keyUsage) within its
 * pathLenConstraint, no certificate may carry a critical extension left unprocessed, every link
 * must name its issuer and verify under the issuer's key, and the top must be a trusted root (same
 * DER) or be issued by one. Signatures are checked from the
 * trusted root down (x509/anchored-path.ts), so no key of the document's verifies anything before
 * its certificate is trusted.
 */
import { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { signedBy, verifyAnchoredPath } from '../x509/index.js';
import type { CertificateCache } from './cert-cache.js';

export type ChainResult =
  | { ok: true; leaf: X509Certificate; path: X509Certificate[] }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface ChainInput {
  leaf: Uint8Array;
  /** Root first, as in the document. */
  cabundle: readonly Uint8Array[];
  trustedRoots: readonly X509Certificate[];
  now: number;
  cache?: CertificateCache;
}

const fail = (code: VerifyFailureCode, message: string): ChainResult => ({ ok: false, code, message });

function parseAll(input: ChainInput): X509Certificate[] | undefined {
  const parse = (der: Uint8Array) => (input.cache ? input.cache.parse(der) : new X509Certificate(der));
  try {
    return [parse(input.leaf), ...[...input.cabundle].reverse().map(parse)];
  } catch {
    return undefined;
  }
}

function positionName(index: number, length: number): string {
  if (index === 0) return 'the leaf certificate';
  return `cabundle certificate ${length - 1 - index}`;
}

function linkVerifies(child: X509Certificate, issuer: X509Certificate, input: ChainInput): boolean {
  const cache = input.cache;
  if (cache?.hasVerifiedLink(child, issuer, input.now)) return true;
  if (!signedBy(child, issuer)) return false;
  cache?.rememberVerifiedLink(child, issuer);
  return true;
}

export function verifyChain(input: ChainInput): ChainResult {
  const path = parseAll(input);
  if (!path) return fail('malformed', 'a certificate in the attestation document is not valid DER');
  // The leaf link is cached too: an enclave keeps its leaf for its lifetime (hours), so its
  // repeated logins hit; one-off leaves only age out of the bounded cache.
  const anchored = verifyAnchoredPath(path, {
    trustedRoots: input.trustedRoots,
    now: input.now,
    nameOf: (i) => positionName(i, path.length),
    untrustedMessage: 'the certificate chain does not end in a trusted root',
    signedBy: (child, issuer) => linkVerifies(child, issuer, input),
  });
  return anchored.ok ? { ok: true, leaf: path[0], path: anchored.path } : anchored;
}
