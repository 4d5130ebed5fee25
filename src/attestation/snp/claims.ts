/** The claims of a verified SEV-SNP report, in the platform-independent shape (types.ts). */
import type { AttestationClaims, SnpTcb } from '../types.js';
import type { SnpProduct } from './product.js';
import { POLICY_DEBUG, POLICY_MIGRATE_MA, type SigningKey, type SnpReport } from './report.js';

export interface SnpClaims extends AttestationClaims {
  platform: 'snp';
  snpTcb: SnpTcb;
  vmpl: number;
  reportVersion: number;
  signingKey: SigningKey;
  product: SnpProduct;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function isDebug(report: SnpReport): boolean {
  return (report.policy & POLICY_DEBUG) !== 0n;
}

/** REPORT_DATA: the first 32 bytes carry the verifier's challenge, the last 32 the workload's own. */
export function snpClaims(report: SnpReport, product: SnpProduct, tcb: SnpTcb, now: number): SnpClaims {
  return {
    platform: 'snp',
    signerId: hex(report.idKeyDigest),
    enclaveId: hex(report.measurement),
    debug: isDebug(report),
    measurements: {
      measurement: hex(report.measurement),
      host_data: hex(report.hostData),
      id_key_digest: hex(report.idKeyDigest),
      author_key_digest: hex(report.authorKeyDigest),
      family_id: hex(report.familyId),
      image_id: hex(report.imageId),
      report_data: hex(report.reportData),
      chip_id: hex(report.chipId),
      // The u64 as 16 hex digits, most significant first, so equal policies compare as equal text.
      policy: report.policy.toString(16).padStart(16, '0'),
      vmpl: String(report.vmpl),
      guest_svn: String(report.guestSvn),
    },
    timestamp: now,
    nonce: report.reportData.slice(0, 32),
    publicKey: null,
    userData: report.reportData.slice(32, 64),
    snpTcb: tcb,
    vmpl: report.vmpl,
    migrationAgent: (report.policy & POLICY_MIGRATE_MA) !== 0n,
    reportVersion: report.version,
    signingKey: report.signingKey,
    product,
  };
}
