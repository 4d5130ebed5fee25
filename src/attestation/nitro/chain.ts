/**
 * The certificate chain of a Nitro document: leaf → cabundle reversed (the bundle lists the root
 * first) → a trusted root. Every certificate must be valid at the verification time, every issuer
 * must be a CA (basicConstraints CA:TRUE, keyCertSign if it has a keyUsage) within its
 * pathLenConstraint, every link must name its issuer and verify under the issuer's key, and the
 * top must be a trusted root (same DER) or be issued by one.
 */
import { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { issuerProblem, pathLengthProblem } from '../x509/index.js';
import type { CertificateCache } from './cert-cache.js';
import { validityAt } from './validity.js';

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
  if (!child.checkIssued(issuer) || !child.verify(issuer.publicKey)) return false;
  cache?.rememberVerifiedLink(child, issuer);
  return true;
}

export function verifyChain(input: ChainInput): ChainResult {
  const path = parseAll(input);
  if (!path) return fail('malformed', 'a certificate in the attestation document is not valid DER');

  for (const [i, cert] of path.entries()) {
    const state = validityAt(cert, input.now);
    if (state === 'expired') return fail('certificate_expired', `${positionName(i, path.length)} has expired at the verification time`);
    if (state === 'not_yet_valid') return fail('certificate_not_yet_valid', `${positionName(i, path.length)} is not yet valid at the verification time`);
    if (state === 'unreadable') return fail('malformed', `${positionName(i, path.length)} has an unreadable validity period`);
  }
  for (let i = 0; i + 1 < path.length; i++) {
    const issuer = path[i + 1];
    const problem = issuerProblem(issuer, positionName(i + 1, path.length));
    if (problem) return fail('not_ca', problem);
    // The leaf link is cached too: an enclave keeps its leaf for its lifetime (hours), so its
    // repeated logins hit; one-off leaves only age out of the bounded cache.
    if (!linkVerifies(path[i], issuer, input)) {
      return fail('bad_chain', `${positionName(i, path.length)} is not signed by the next certificate in the chain`);
    }
  }

  const top = path[path.length - 1];
  if (input.trustedRoots.some((root) => root.fingerprint256 === top.fingerprint256)) return withinPathLength(path, path.length);
  for (const root of input.trustedRoots) {
    // A trusted root that may not issue certificates is no issuer of the top.
    if (!issuerProblem(root, 'the trusted root') && validityAt(root, input.now) === 'ok' && linkVerifies(top, root, input)) return withinPathLength([...path, root], path.length);
  }
  return fail('untrusted_root', 'the certificate chain does not end in a trusted root');
}

/**
 * The trusted path (leaf first, root last) if no CA in it has more CAs below it than its
 * pathLenConstraint allows. `fromDocument`: how many of its certificates the document brought.
 */
function withinPathLength(path: X509Certificate[], fromDocument: number): ChainResult {
  const problem = pathLengthProblem(path, (i) => (i < fromDocument ? positionName(i, fromDocument) : 'the trusted root'));
  return problem ? fail('not_ca', problem) : { ok: true, leaf: path[0], path };
}
