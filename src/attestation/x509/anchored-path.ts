/**
 * A presented certificate chain checked from its trust anchor down. Every certificate in it but a
 * trusted root is the presenter's, and so is the cost of checking a signature with its key: an RSA
 * key whose public exponent is as long as its modulus (OpenSSL takes any exponent below a modulus
 * of up to 3072 bits) turns one check into a full modular exponentiation, ~3 ms for 2048 bits
 * against ~0.03 ms for an ordinary one. Checked leaf first, a chain of such keys ending in no
 * trusted root cost ~30 ms per unauthenticated login. Checked from the anchor down, a key verifies
 * a signature only once its own certificate has verified under a trusted key, so a chain that does
 * not end in a trusted root costs at most one check per trusted root, with that root's key.
 *
 * Order: every certificate is valid at the verification time → every issuer may issue
 * (issuer-rules.ts) → no certificate carries a critical extension left unprocessed
 * (critical-extensions.ts) → the top is a trusted root (same DER) or names one that signs it, a
 * root with no such extension either → each link, top down → path length constraints. Nothing
 * before the anchor involves a signature.
 */
import type { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { validityAt } from '../nitro/validity.js';
import { criticalExtensionProblem } from './critical-extensions.js';
import { issuerProblem } from './issuer-rules.js';
import { pathLengthProblem } from './path-length.js';

export type AnchoredPath =
  | { ok: true; path: X509Certificate[] }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface AnchoredPathOptions {
  trustedRoots: readonly X509Certificate[];
  now: number;
  /** A certificate's place in the presented chain (leaf first), for messages. */
  nameOf(index: number): string;
  /** The message when the top neither is nor is issued by a trusted root. */
  untrustedMessage: string;
  /**
   * Whether `child` names `issuer` and verifies under its key, which is trusted by then (the Nitro
   * verifier answers from its cache of verified links). Default: checkIssued and verify.
   */
  signedBy?(child: X509Certificate, issuer: X509Certificate): boolean;
  /** Extensions the caller reads from the leaf (OIDs), besides basicConstraints and keyUsage. */
  leafExtensions?: readonly string[];
}

/** Whether `child` names `issuer` as its issuer and its signature verifies under `issuer`'s key. */
export function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The trusted path of `certs` (leaf first): `certs` itself when its top is a trusted root, else
 * `certs` and the trusted root that issued its top.
 */
export function verifyAnchoredPath(certs: readonly X509Certificate[], opts: AnchoredPathOptions): AnchoredPath {
  const verifies = opts.signedBy ?? signedBy;
  for (const [i, cert] of certs.entries()) {
    const state = validityAt(cert, opts.now);
    if (state === 'expired') return { ok: false, code: 'certificate_expired', message: `${opts.nameOf(i)} has expired at the verification time` };
    if (state === 'not_yet_valid') return { ok: false, code: 'certificate_not_yet_valid', message: `${opts.nameOf(i)} is not yet valid at the verification time` };
    if (state === 'unreadable') return { ok: false, code: 'malformed', message: `${opts.nameOf(i)} has an unreadable validity period` };
  }
  for (let i = 1; i < certs.length; i++) {
    const problem = issuerProblem(certs[i], opts.nameOf(i));
    if (problem) return { ok: false, code: 'not_ca', message: problem };
  }
  for (const [i, cert] of certs.entries()) {
    const problem = criticalExtensionProblem(cert, opts.nameOf(i), i === 0 ? opts.leafExtensions : []);
    if (problem) return { ok: false, ...problem };
  }
  const top = certs[certs.length - 1];
  let path: X509Certificate[];
  if (opts.trustedRoots.some((root) => root.raw.equals(top.raw))) {
    path = [...certs];
  } else {
    // A trusted root that may not issue certificates, or is out of its validity, issues nothing.
    const root = opts.trustedRoots.find((r) => !issuerProblem(r, 'the trusted root') && validityAt(r, opts.now) === 'ok' && verifies(top, r));
    if (!root) return { ok: false, code: 'untrusted_root', message: opts.untrustedMessage };
    const problem = criticalExtensionProblem(root, 'the trusted root');
    if (problem) return { ok: false, ...problem };
    path = [...certs, root];
  }
  for (let i = certs.length - 2; i >= 0; i--) {
    if (!verifies(certs[i], certs[i + 1])) return { ok: false, code: 'bad_chain', message: `${opts.nameOf(i)} is not signed by the next certificate in the chain` };
  }
  const problem = pathLengthProblem(path, (i) => (i < certs.length ? opts.nameOf(i) : 'the trusted root'));
  return problem ? { ok: false, code: 'not_ca', message: problem } : { ok: true, path };
}
