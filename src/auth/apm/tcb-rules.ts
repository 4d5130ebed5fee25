/**
 * A role's TCB rules against verified claims. SNP: every reported TCB component at least the
 * role's minimum, the report from the role's VMPL, and no migration agent allowed by the guest
 * policy unless the role allows one (`allow_migration_agent`). TDX/SGX: the DCAP status among the accepted
 * ones (default UpToDate and SWHardeningNeeded) and no worse than `min_tcb_status`; SGX: ISVSVN at
 * least `min_isv_svn`. Evidence without the value a rule needs fails the rule.
 */
import { TCB_STATUSES, type AttestationClaims, type SnpTcb } from '../../attestation/index.js';
import { DEFAULT_ACCEPTED_TCB } from './role-platform.js';
import type { ApmRole } from './roles.js';

function snpTcbAtLeast(reported: SnpTcb | undefined, min: SnpTcb): boolean {
  if (!reported) return false;
  const parts = ['bootloader', 'tee', 'snp', 'microcode'] as const;
  if (!parts.every((p) => reported[p] >= min[p])) return false;
  return min.fmc === undefined || (reported.fmc !== undefined && reported.fmc >= min.fmc);
}

export function meetsTcbRules(role: ApmRole, claims: AttestationClaims): boolean {
  if (role.minTcb && !snpTcbAtLeast(claims.snpTcb, role.minTcb)) return false;
  if (role.vmpl !== undefined && claims.vmpl !== role.vmpl) return false;
  // A guest a migration agent may be tied to (its memory can leave the machine through it) only
  // where the role says so, as go-sev-guest refuses it unless asked.
  if (role.platform === 'snp' && claims.migrationAgent !== false && role.allowMigrationAgent !== true) return false;
  if (role.minIsvSvn !== undefined && !(Number(claims.measurements.isv_svn) >= role.minIsvSvn)) return false;
  if (role.platform === 'tdx' || role.platform === 'sgx') {
    const status = claims.tcbStatus;
    if (status === undefined || !(role.acceptedTcbStatuses ?? DEFAULT_ACCEPTED_TCB).includes(status)) return false;
    if (role.minTcbStatus && TCB_STATUSES.indexOf(status) > TCB_STATUSES.indexOf(role.minTcbStatus)) return false;
  }
  return true;
}
