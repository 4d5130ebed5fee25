/**
 * AMD KDS CRLs against a verified chain. Every CRL given must be signed by a trusted ARK or by the
 * chain's ASK/ASVK, and be current at the verification time; stale revocation data fails closed.
 * A CRL speaks only for certificates its signer issued (serials are unique per issuer, and every
 * VCEK has serial 0), so the ARK's CRL revokes an ASK/ASVK and the ASK/ASVK's CRL a VCEK/VLEK.
 */
import type { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { crlSignedBy, isRevoked, parseCrl, revokedListProblem, type Crl } from '../x509/crl.js';
import type { SnpChain } from './chain.js';

export const MAX_CRLS = 8;
export const MAX_CRL_BYTES = 1024 * 1024;

export type RevocationResult = { ok: true } | { ok: false; code: VerifyFailureCode; message: string };

const fail = (code: VerifyFailureCode, message: string): RevocationResult => ({ ok: false, code, message });

function parse(der: Uint8Array): Crl | undefined {
  try {
    return parseCrl(der);
  } catch {
    return undefined;
  }
}

export function checkRevocation(
  crls: ReadonlyArray<Uint8Array>, chain: SnpChain, trustedRoots: readonly X509Certificate[], now: number,
): RevocationResult {
  if (crls.length > MAX_CRLS) return fail('collateral_invalid', `at most ${MAX_CRLS} CRLs may be given`);
  for (const [i, der] of crls.entries()) {
    const which = `CRL ${i + 1}`;
    if (der.length > MAX_CRL_BYTES) return fail('collateral_invalid', `${which} is larger than ${MAX_CRL_BYTES} bytes`);
    const crl = parse(der);
    if (!crl) return fail('collateral_invalid', `${which} is not a valid DER CRL`);
    const signer = [chain.intermediate, ...trustedRoots].find((issuer) => crlSignedBy(crl, issuer));
    if (!signer) return fail('collateral_invalid', `${which} is not signed by a trusted AMD root or the chain's ASK/ASVK`);
    const listProblem = revokedListProblem(crl);
    if (listProblem) return fail('collateral_invalid', `${which}: ${listProblem}`);
    if (now < crl.thisUpdate) return fail('collateral_expired', `${which} is not yet issued at the verification time`);
    if (crl.nextUpdate !== undefined && now > crl.nextUpdate) return fail('collateral_expired', `${which} is past its nextUpdate at the verification time`);

    if (signer.fingerprint256 === chain.root.fingerprint256 && isRevoked(crl, chain.intermediate.serialNumber)) return fail('revoked', 'the ASK/ASVK is revoked by its ARK');
    if (signer.fingerprint256 === chain.intermediate.fingerprint256 && isRevoked(crl, chain.leaf.serialNumber)) return fail('revoked', 'the VCEK/VLEK is revoked by its ASK/ASVK');
  }
  return { ok: true };
}
