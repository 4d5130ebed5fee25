/**
 * The AMD chain of a report's signing key: VCEK → ASK → ARK, or VLEK → ASVK → ARK. The caller
 * supplies the VCEK/VLEK (and may add the ASK/ASVK and ARK); the ASK/ASVK may also come from the
 * built-in set. Each link must name its issuer and verify under the issuer's key (RSASSA-PSS), every
 * issuer must be a CA (keyCertSign if it has a keyUsage) within its pathLenConstraint, every
 * certificate valid at the verification time and without a critical extension left unprocessed,
 * and the ARK must be one of the trusted roots (by DER fingerprint): an ARK supplied with the
 * report is never trusted as such.
 */
import { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { validityAt } from '../nitro/validity.js';
import { criticalExtensionProblem, issuerProblem, pathLengthProblem, pemCertificateBlocks } from '../x509/index.js';
import { amdIntermediates } from './amd-intermediates.js';
import { commonName, READ_EXTENSIONS } from './endorsement-key.js';

/** Limits on caller-supplied certificates: AMD's chain is three certificates of about 1.5 KiB each. */
export const MAX_SUPPLIED_CERTIFICATES = 8;
export const MAX_SUPPLIED_ITEM_BYTES = 64 * 1024;

export interface SnpChain {
  leaf: X509Certificate;
  intermediate: X509Certificate;
  root: X509Certificate;
}

export type ChainResult = { ok: true; chain: SnpChain } | { ok: false; code: VerifyFailureCode; message: string };

const fail = (code: VerifyFailureCode, message: string): ChainResult => ({ ok: false, code, message });
const ENDORSEMENT_KEY_NAMES = new Set(['SEV-VCEK', 'SEV-VLEK']);

/** Every certificate in the supplied items (each DER, or PEM text holding one or more). */
export function parseSupplied(items: ReadonlyArray<Uint8Array>): X509Certificate[] | string {
  const out: X509Certificate[] = [];
  for (const item of items) {
    if (item.length > MAX_SUPPLIED_ITEM_BYTES) return `a supplied certificate item is larger than ${MAX_SUPPLIED_ITEM_BYTES} bytes`;
    const text = Buffer.from(item).toString('latin1');
    const blocks: Array<string | Uint8Array> = text.includes('-----BEGIN') ? pemCertificateBlocks(text) : [item];
    if (blocks.length === 0) return 'a supplied certificate is PEM without a certificate block';
    if (out.length + blocks.length > MAX_SUPPLIED_CERTIFICATES) return `at most ${MAX_SUPPLIED_CERTIFICATES} certificates may come with a report`;
    for (const block of blocks) {
      try {
        out.push(new X509Certificate(block));
      } catch {
        return 'a supplied certificate is not a valid X.509 certificate';
      }
    }
  }
  return out;
}

/**
 * The certificate of `pool` that issued `child` — names it, signs it, and may issue certificates —
 * or, when none did, why one whose key signed `child` may not issue it; undefined when no key did.
 * Only certificates named as `child`'s issuer are tried, and `pool`'s keys must be trusted already:
 * a presented key never checks a signature (x509/anchored-path.ts says why).
 */
function issuerIn(pool: readonly X509Certificate[], child: X509Certificate, role: string): X509Certificate | { problem: string } | undefined {
  let problem: string | undefined;
  for (const c of pool) {
    if (c.subject !== child.issuer || !verifies(c, child)) continue;
    const cannot = issuerProblem(c, role);
    if (!cannot) return c;
    problem ??= cannot;
  }
  return problem === undefined ? undefined : { problem };
}

/** `child`'s signature verifies under `issuer`'s key (names are checked by the caller). */
function verifies(issuer: X509Certificate, child: X509Certificate): boolean {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validity(cert: X509Certificate, role: string, now: number): ChainResult | undefined {
  const state = validityAt(cert, now);
  if (state === 'expired') return fail('certificate_expired', `the ${role} certificate has expired at the verification time`);
  if (state === 'not_yet_valid') return fail('certificate_not_yet_valid', `the ${role} certificate is not yet valid at the verification time`);
  if (state === 'unreadable') return fail('malformed', `the ${role} certificate has an unreadable validity period`);
  return undefined;
}

export function verifySnpChain(supplied: readonly X509Certificate[], trustedRoots: readonly X509Certificate[], now: number): ChainResult {
  const leaves = supplied.filter((c) => ENDORSEMENT_KEY_NAMES.has(commonName(c) ?? ''));
  if (leaves.length !== 1) return fail('malformed', 'exactly one VCEK or VLEK certificate must come with the report');
  const [leaf] = leaves;
  // Every ASK/ASVK named as the leaf's issuer, once each, checked from the trusted ARK down: its
  // own signature first, and only then the leaf's under its key.
  const seen = new Set<string>();
  const candidates = [...supplied.filter((c) => c !== leaf), ...amdIntermediates()].filter((c) => {
    if (c.subject !== leaf.issuer || seen.has(c.fingerprint256)) return false;
    seen.add(c.fingerprint256);
    return true;
  });
  let untrusted = false;
  let caProblem: string | undefined;
  let found: { intermediate: X509Certificate; root: X509Certificate } | undefined;
  for (const intermediate of candidates) {
    const root = issuerIn(trustedRoots.filter((r) => r.fingerprint256 !== intermediate.fingerprint256), intermediate, 'the ARK');
    // Whether an untrusted ASK/ASVK signed the leaf is never asked of its key.
    if (!root) untrusted = true;
    if (!root || !verifies(intermediate, leaf)) continue;
    const problem = 'problem' in root ? root.problem : issuerProblem(intermediate, 'the ASK/ASVK');
    if (!problem) {
      found = { intermediate, root: root as X509Certificate };
      break;
    }
    caProblem ??= problem;
  }
  if (!found) {
    if (caProblem) return fail('not_ca', caProblem);
    if (untrusted) return fail('untrusted_root', 'the ASK/ASVK is not signed by a trusted AMD root');
    return fail('bad_chain', 'the VCEK/VLEK is not signed by a supplied or built-in ASK/ASVK');
  }
  const { intermediate, root } = found;

  for (const [cert, role] of [[leaf, 'VCEK/VLEK'], [intermediate, 'ASK/ASVK'], [root, 'ARK']] as const) {
    const bad = validity(cert, role, now);
    if (bad) return bad;
    const problem = criticalExtensionProblem(cert, `the ${role} certificate`, cert === leaf ? READ_EXTENSIONS : []);
    if (problem) return fail(problem.code, problem.message);
  }
  const problem = pathLengthProblem([leaf, intermediate, root], (i) => ['the VCEK/VLEK', 'the ASK/ASVK', 'the ARK'][i]);
  if (problem) return fail('not_ca', problem);
  return { ok: true, chain: { leaf, intermediate, root } };
}
