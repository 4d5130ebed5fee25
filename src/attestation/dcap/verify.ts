/**
 * Verifies an Intel DCAP quote (SGX v3, TDX v4/v5) with its collateral, as a pure function of
 * (bytes, trust roots, collateral, time).
 *
 * @example
 * ```ts
 * const result = verifyDcapQuote('tdx', quote, { trustedRoots: [intelSgxRootCa()], now: clock.now(), collateral, expectedNonce });
 * if (!result.ok) throw invalid(result.message);
 * if (result.claims.tcbStatus !== 'UpToDate') ...; // the caller decides which statuses it accepts
 * ```
 *
 * Order of checks: layout → nonce (on the body as sent, so a replayed quote costs no signature,
 * chain or collateral work) → quote signature (attestation key) → QE report signature (PCK key)
 * and its binding of the attestation key → PCK chain to a trusted root → CRLs → TCB info and QE
 * identity (signature, chain, freshness) → FMSPC, QE identity and TCB level → debug.
 */
import { createHash, createPublicKey, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { invalid } from '../../errors/index.js';
import { normalizeRoots } from '../roots.js';
import type { DcapCollateral, VerifyOptions, VerifyResult } from '../types.js';
import { parseSgxReport, parseTdReport } from './body.js';
import { parseChainPem, verifyChain } from './chain.js';
import { CHALLENGE_MISMATCH, carriesChallenge, checkPolicy, sgxClaims, tdxClaims, type DcapClaims } from './claims.js';
import { parseCollateral, verifySignedJson } from './collateral.js';
import { failure, success, type Outcome } from './outcome.js';
import { pckExtensions, SGX_EXTENSIONS, type PckExtensions } from './pck.js';
import { matchQeIdentity, readQeIdentity, type QeIdentity, type QeStatus } from './qe-identity.js';
import { parseQuote, TEE_SGX, TEE_TDX, type DcapQuote } from './quote.js';
import { checkPckRevocation } from './revocation.js';
import { readTcbInfo, type TcbInfo } from './tcb-info.js';
import { converge, mergeAdvisories, sgxTcb, tdxTcb, type TcbResult } from './tcb-level.js';

export type DcapPlatform = 'tdx' | 'sgx';

const p256Key = (raw: Uint8Array): KeyObject => createPublicKey({
  key: { kty: 'EC', crv: 'P-256', x: Buffer.from(raw.subarray(0, 32)).toString('base64url'), y: Buffer.from(raw.subarray(32, 64)).toString('base64url') },
  format: 'jwk',
});

const verifyP1363 = (key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean =>
  verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);

/** The quote's own signatures: body by the attestation key, QE report by the PCK key, and the binding. */
function checkSignatures(quote: DcapQuote, leaf: X509Certificate): Outcome<void> {
  let attestationKey: KeyObject;
  try {
    attestationKey = p256Key(quote.attestationKey);
  } catch {
    return failure('malformed', 'the attestation key is not a P-256 point');
  }
  if (!verifyP1363(attestationKey, quote.signedBytes, quote.signature)) return failure('bad_signature', 'the quote signature does not verify under the attestation key');
  if (leaf.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return failure('unsupported_algorithm', 'the PCK certificate key is not EC P-256');
  if (!verifyP1363(leaf.publicKey, quote.qeReport, quote.qeReportSignature)) return failure('bad_signature', 'the QE report signature does not verify under the PCK certificate key');
  // The QE vouches for the attestation key by REPORT_DATA = SHA-256(key || QE auth data) || zeros.
  const reportData = parseSgxReport(quote.qeReport).reportData;
  const binding = createHash('sha256').update(quote.attestationKey).update(quote.qeAuthData).digest();
  if (!binding.equals(reportData.subarray(0, 32)) || reportData.subarray(32).some((b) => b !== 0)) {
    return failure('bad_signature', 'the QE report does not bind the attestation key');
  }
  return success(undefined);
}

interface Collateral {
  tcbInfo: TcbInfo;
  qe: QeStatus;
}

interface CollateralContext {
  collateral: DcapCollateral;
  roots: X509Certificate[];
  now: number;
  isRevokedByRoot: (cert: X509Certificate) => boolean;
}

/** TCB info and QE identity: signed, current, and about this platform and this QE. */
function checkCollateral(platform: DcapPlatform, quote: DcapQuote, pck: PckExtensions, ctx: CollateralContext): Outcome<Collateral> {
  const { collateral: c, roots: trustedRoots, now, isRevokedByRoot } = ctx;
  const tcbDoc = verifySignedJson({
    what: 'the TCB info', text: c.tcb_info, signatureHex: c.tcb_info_signature, issuerChainPem: c.tcb_info_issuer_chain, trustedRoots, now, isRevokedByRoot,
  });
  if (!tcbDoc.ok) return tcbDoc;
  const qeDoc = verifySignedJson({
    what: 'the QE identity', text: c.qe_identity, signatureHex: c.qe_identity_signature, issuerChainPem: c.qe_identity_issuer_chain, trustedRoots, now, isRevokedByRoot,
  });
  if (!qeDoc.ok) return qeDoc;
  let tcbInfo: TcbInfo;
  let qeIdentity: QeIdentity;
  try {
    tcbInfo = readTcbInfo(tcbDoc.value, platform === 'tdx' ? 'TDX' : 'SGX');
    qeIdentity = readQeIdentity(qeDoc.value, platform === 'tdx' ? 'TD_QE' : 'QE');
  } catch (err) {
    return failure('collateral_invalid', `the TCB info or QE identity is not usable: ${(err as Error).message}`);
  }
  if (tcbInfo.fmspc !== pck.fmspc) return failure('tcb_mismatch', 'the TCB info is for another FMSPC than the PCK certificate');
  if (tcbInfo.pceId !== pck.pceId) return failure('tcb_mismatch', 'the TCB info is for another PCE-ID than the PCK certificate');
  const qe = matchQeIdentity(parseSgxReport(quote.qeReport), qeIdentity);
  if (!qe.ok) return qe;
  return success({ tcbInfo, qe: qe.value });
}

function verifyParsed(platform: DcapPlatform, quote: DcapQuote, options: VerifyOptions, collateral: DcapCollateral, roots: X509Certificate[]): Outcome<DcapClaims> {
  const certs = parseChainPem(quote.pckChainPem);
  if (!certs) return failure('malformed', 'the quote\'s PCK certificate chain is not a PEM certificate chain');
  const signatures = checkSignatures(quote, certs[0]);
  if (!signatures.ok) return signatures;
  const chain = verifyChain('the PCK certificate chain', certs, roots, options.now, [SGX_EXTENSIONS]);
  if (!chain.ok) return chain;
  let pck: PckExtensions;
  try {
    pck = pckExtensions(chain.path[0].raw);
  } catch {
    return failure('malformed', 'the PCK certificate has no readable SGX extensions');
  }
  const revocation = checkPckRevocation({ collateral, pckPath: chain.path, trustedRoots: roots, now: options.now });
  if (!revocation.ok) return revocation;
  const checked = checkCollateral(platform, quote, pck, { collateral, roots, now: options.now, isRevokedByRoot: revocation.value });
  if (!checked.ok) return checked;

  const td = platform === 'tdx' ? parseTdReport(quote.body) : undefined;
  const level = td ? tdxTcb(checked.value.tcbInfo, pck, td) : sgxTcb(checked.value.tcbInfo, pck);
  if (!level.ok) return level;
  const tcb: TcbResult = {
    status: converge(level.value.status, checked.value.qe.status),
    advisoryIds: mergeAdvisories(level.value.advisoryIds, checked.value.qe.advisoryIds),
  };
  if (tcb.status === 'Revoked') return failure('tcb_revoked', 'the platform\'s TCB level is revoked');
  const claims = td ? tdxClaims(td, tcb, options.now) : sgxClaims(parseSgxReport(quote.body), tcb, options.now);
  return checkPolicy(claims, options);
}

export function verifyDcapQuote(platform: DcapPlatform, evidence: Uint8Array, options: VerifyOptions): VerifyResult<DcapClaims> {
  // A NaN time would pass every window comparison: a caller's bug, refused loudly.
  if (!Number.isFinite(options.now)) throw invalid('the verification time must be a finite number of ms');
  const parsed = parseQuote(evidence);
  if (!parsed.ok) return { ok: false, code: 'malformed', message: parsed.message };
  const quote = parsed.value;
  if (quote.teeType !== (platform === 'tdx' ? TEE_TDX : TEE_SGX)) {
    return { ok: false, code: 'malformed', message: `the quote is not a ${platform === 'tdx' ? 'TDX' : 'SGX'} quote` };
  }
  const body = platform === 'tdx' ? parseTdReport(quote.body) : parseSgxReport(quote.body);
  if (!carriesChallenge(body.reportData.subarray(0, 32), options.expectedNonce)) return { ok: false, code: 'nonce_mismatch', message: CHALLENGE_MISMATCH };
  if (!options.collateral) return { ok: false, code: 'collateral_missing', message: 'DCAP verification needs the collateral (TCB info, QE identity, CRLs)' };
  let collateral: DcapCollateral;
  try {
    collateral = parseCollateral(options.collateral);
  } catch (err) {
    return { ok: false, code: 'collateral_invalid', message: (err as Error).message };
  }
  const roots = normalizeRoots(options.trustedRoots);
  let result: Outcome<DcapClaims>;
  try {
    result = verifyParsed(platform, quote, options, collateral, roots);
  } catch {
    // OpenSSL may reject a garbled certificate or key at any step: still a result.
    return { ok: false, code: 'malformed', message: 'a certificate or key in the quote or collateral could not be processed' };
  }
  return result.ok ? { ok: true, claims: result.value } : result;
}
