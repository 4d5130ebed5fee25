/**
 * Verifies an AMD SEV-SNP attestation report, as a pure function of (report bytes, certificates,
 * trust roots, CRLs, time). Offline: the VCEK/VLEK comes with the report, never from AMD KDS.
 *
 * @example
 * ```ts
 * const result = verifySnpReport(report, { trustedRoots: amdRoots(), now: clock.now(), certificates: [vcekDer], expectedNonce: challenge });
 * if (!result.ok) throw invalid(result.message);
 * console.log(result.claims.enclaveId); // hex MEASUREMENT
 * ```
 *
 * Order of checks: report shape → nonce (on the report as sent, so a replayed report costs no
 * certificate, chain or signature work) → certificate chain (ARK trusted, links from it down,
 * validity, CA) → CRLs → report ↔ certificate binding (key type, product, TCB, chip id) → ECDSA
 * P-384 signature under the VCEK/VLEK → debug policy. Every failure is a result with a stable
 * code; nothing throws on bad evidence.
 */
import { verify, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from '../../lib/compare.js';
import { normalizeRoots } from '../roots.js';
import type { VerifyFailureCode, VerifyOptions, VerifyResult } from '../types.js';
import { checkBinding } from './binding.js';
import { parseSupplied, verifySnpChain } from './chain.js';
import { snpClaims, type SnpClaims } from './claims.js';
import { parseSnpReport, type SnpReport } from './report.js';
import { checkRevocation } from './revocation.js';

const fail = (code: VerifyFailureCode, message: string): VerifyResult<SnpClaims> => ({ ok: false, code, message });

function signatureVerifies(report: SnpReport, key: KeyObject): boolean {
  if (!report.signature) return false;
  try {
    return verify('sha384', report.signed, { key, dsaEncoding: 'ieee-p1363' }, report.signature);
  } catch {
    return false;
  }
}

export function verifySnpReport(evidence: Uint8Array, options: VerifyOptions): VerifyResult<SnpClaims> {
  const parsed = parseSnpReport(evidence);
  if (!parsed.ok) return fail(parsed.code, parsed.message);
  const report = parsed.report;
  if (options.expectedNonce !== undefined && !constantTimeEqual(report.reportData.subarray(0, 32), options.expectedNonce)) {
    return fail('nonce_mismatch', 'REPORT_DATA[0..32] is not the expected challenge');
  }
  const supplied = parseSupplied(options.certificates ?? []);
  if (typeof supplied === 'string') return fail('malformed', supplied);
  const trustedRoots = normalizeRoots(options.trustedRoots);

  let claims: SnpClaims;
  try {
    const chain = verifySnpChain(supplied, trustedRoots, options.now);
    if (!chain.ok) return fail(chain.code, chain.message);
    if (options.crls?.length) {
      const revocation = checkRevocation(options.crls, chain.chain, trustedRoots, options.now);
      if (!revocation.ok) return fail(revocation.code, revocation.message);
    }
    const binding = checkBinding(report, chain.chain);
    if (!binding.ok) return fail(binding.code, binding.message);
    const key = chain.chain.leaf.publicKey;
    if (key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return fail('unsupported_algorithm', 'the VCEK/VLEK key is not EC P-384');
    if (!signatureVerifies(report, key)) return fail('bad_signature', 'the attestation report signature does not verify under the VCEK/VLEK');
    claims = snpClaims(report, binding.product, binding.tcb, options.now);
  } catch {
    // OpenSSL may reject a garbled certificate at any step (e.g. an unreadable key): still a result.
    return fail('malformed', 'a certificate that came with the report could not be processed');
  }

  if (claims.debug && !options.allowDebug) return fail('debug_not_allowed', 'the guest policy allows debugging, and debug was not allowed');
  return { ok: true, claims };
}
