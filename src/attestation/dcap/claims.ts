/**
 * The claims of a verified quote body, and the caller's policy on them (debug mode, the expected
 * challenge). Separate from the signature checks so the policy can be tested on any body.
 */
import { constantTimeEqual } from '../../lib/compare.js';
import type { AttestationClaims, VerifyOptions } from '../types.js';
import { sgxDebug, tdDebug, type SgxReportBody, type TdReportBody } from './body.js';
import { failure, success, type Outcome } from './outcome.js';
import type { TcbResult } from './tcb-level.js';

export interface DcapClaims extends AttestationClaims {
  platform: 'tdx' | 'sgx';
  tcbStatus: NonNullable<AttestationClaims['tcbStatus']>;
  advisoryIds: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function common(reportData: Uint8Array, tcb: TcbResult, now: number) {
  return {
    timestamp: now,
    nonce: Uint8Array.from(reportData.subarray(0, 32)),
    publicKey: null,
    userData: Uint8Array.from(reportData.subarray(32, 64)),
    tcbStatus: tcb.status,
    advisoryIds: [...tcb.advisoryIds],
  };
}

export function sgxClaims(report: SgxReportBody, tcb: TcbResult, now: number): DcapClaims {
  return {
    platform: 'sgx',
    enclaveId: hex(report.mrEnclave),
    signerId: hex(report.mrSigner),
    debug: sgxDebug(report),
    measurements: {
      mr_enclave: hex(report.mrEnclave),
      mr_signer: hex(report.mrSigner),
      isv_prod_id: String(report.isvProdId),
      isv_svn: String(report.isvSvn),
      attributes: hex(report.attributes),
      report_data: hex(report.reportData),
    },
    ...common(report.reportData, tcb, now),
  };
}

export function tdxClaims(td: TdReportBody, tcb: TcbResult, now: number): DcapClaims {
  return {
    platform: 'tdx',
    enclaveId: hex(td.mrTd),
    signerId: hex(td.mrOwner),
    debug: tdDebug(td),
    measurements: {
      mr_td: hex(td.mrTd),
      rtmr0: hex(td.rtmrs[0]),
      rtmr1: hex(td.rtmrs[1]),
      rtmr2: hex(td.rtmrs[2]),
      rtmr3: hex(td.rtmrs[3]),
      mr_config_id: hex(td.mrConfigId),
      mr_owner: hex(td.mrOwner),
      mr_owner_config: hex(td.mrOwnerConfig),
      mr_seam: hex(td.mrSeam),
      mr_signer_seam: hex(td.mrSignerSeam),
      td_attributes: hex(td.tdAttributes),
      xfam: hex(td.xfam),
      report_data: hex(td.reportData),
    },
    ...common(td.reportData, tcb, now),
  };
}

/** REPORT_DATA[0..32] (`nonce`) is the challenge the caller expects, or it expects none. */
export function carriesChallenge(nonce: Uint8Array | null, expectedNonce: Uint8Array | undefined): boolean {
  return expectedNonce === undefined || (nonce !== null && constantTimeEqual(nonce, expectedNonce));
}

export const CHALLENGE_MISMATCH = 'REPORT_DATA[0..32] is not the expected challenge';

/** The caller's policy: the challenge must be REPORT_DATA[0..32], debug only when allowed. */
export function checkPolicy(claims: DcapClaims, options: Pick<VerifyOptions, 'expectedNonce' | 'allowDebug'>): Outcome<DcapClaims> {
  if (!carriesChallenge(claims.nonce, options.expectedNonce)) return failure('nonce_mismatch', CHALLENGE_MISMATCH);
  if (claims.debug && !options.allowDebug) return failure('debug_not_allowed', 'debug-mode evidence is not allowed');
  return success(claims);
}
