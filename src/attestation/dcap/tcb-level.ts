/**
 * Intel's TCB level matching (as the QVL does it): the platform's level is the first in the TCB
 * info (best first) whose SGX components and PCESVN the PCK certificate reaches — for TDX also
 * whose TDX components the TD's TEE_TCB_SVN reaches; the TDX module's own status comes from its
 * identity by major version. The QE's and the module's statuses then cap the platform's.
 */
import type { TcbStatus } from '../types.js';
import type { TdReportBody } from './body.js';
import { maskedEqual, TCB_STATUSES } from './json-fields.js';
import { failure, success, type Outcome } from './outcome.js';
import type { PckExtensions } from './pck.js';
import type { TcbInfo, TcbLevel } from './tcb-info.js';

export interface TcbResult {
  status: TcbStatus;
  advisoryIds: string[];
}

const reaches = (actual: ArrayLike<number>, required: readonly number[], from = 0) =>
  required.every((svn, i) => i < from || actual[i] >= svn);

function platformLevel(info: TcbInfo, pck: PckExtensions, teeTcbSvn?: Uint8Array): TcbLevel | undefined {
  // With a TDX module major version (TEE_TCB_SVN[1] > 0), bytes 0..1 are the module's, judged
  // by its identity instead of the TDX components.
  const from = teeTcbSvn && teeTcbSvn[1] > 0 ? 2 : 0;
  return info.levels.find((level) =>
    reaches(pck.components, level.sgxComponents) && pck.pcesvn >= level.pcesvn &&
    (!teeTcbSvn || (level.tdxComponents !== undefined && reaches(teeTcbSvn, level.tdxComponents, from))));
}

/**
 * A component's status caps the platform's: an out-of-date QE or TDX module makes the platform
 * out of date (keeping "configuration needed"), a revoked one revokes it.
 */
export function converge(platform: TcbStatus, component: TcbStatus): TcbStatus {
  if (component === 'Revoked') return 'Revoked';
  if (component !== 'OutOfDate') return platform;
  if (platform === 'UpToDate' || platform === 'SWHardeningNeeded') return 'OutOfDate';
  if (platform === 'ConfigurationNeeded' || platform === 'ConfigurationAndSWHardeningNeeded') return 'OutOfDateConfigurationNeeded';
  return platform;
}

export const mergeAdvisories = (...lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())].sort();

export function sgxTcb(info: TcbInfo, pck: PckExtensions): Outcome<TcbResult> {
  const level = platformLevel(info, pck);
  if (!level) return failure('tcb_mismatch', 'no TCB level of the TCB info covers the PCK certificate\'s TCB');
  return success({ status: level.status, advisoryIds: level.advisoryIds });
}

/** The TDX module's identity: MRSIGNERSEAM and SEAM_ATTRIBUTES, and the status of its SVN. */
function tdxModule(info: TcbInfo, td: TdReportBody, teeTcbSvn: Uint8Array): Outcome<TcbResult | undefined> {
  const version = teeTcbSvn[1];
  let signer = info.tdxModule;
  let result: TcbResult | undefined;
  if (version > 0) {
    const id = `TDX_${version.toString(16).toUpperCase().padStart(2, '0')}`;
    const identity = info.tdxModuleIdentities.find((m) => m.id.toUpperCase() === id);
    if (!identity) return failure('tcb_mismatch', 'the TCB info has no identity for the TDX module version');
    const level = identity.levels.find((l) => teeTcbSvn[0] >= l.isvsvn);
    if (!level) return failure('tcb_mismatch', 'the TDX module SVN is below every TDX module TCB level');
    signer = identity;
    result = { status: level.status, advisoryIds: level.advisoryIds };
  }
  if (!signer) return failure('tcb_mismatch', 'the TCB info has no TDX module');
  if (!Buffer.from(td.mrSignerSeam).equals(signer.mrsigner)) return failure('tcb_mismatch', 'MRSIGNERSEAM is not the TDX module signer');
  if (!maskedEqual(td.seamAttributes, signer.attributesMask, signer.attributes)) return failure('tcb_mismatch', 'SEAM_ATTRIBUTES do not match the TDX module');
  return success(result);
}

function tdxTcbFor(info: TcbInfo, pck: PckExtensions, td: TdReportBody, teeTcbSvn: Uint8Array): Outcome<TcbResult> {
  const level = platformLevel(info, pck, teeTcbSvn);
  if (!level) return failure('tcb_mismatch', 'no TCB level of the TCB info covers the PCK certificate\'s TCB and the TD\'s TEE_TCB_SVN');
  const module = tdxModule(info, td, teeTcbSvn);
  if (!module.ok) return module;
  if (!module.value) return success({ status: level.status, advisoryIds: level.advisoryIds });
  return success({
    status: converge(level.status, module.value.status),
    advisoryIds: mergeAdvisories(level.advisoryIds, module.value.advisoryIds),
  });
}

const rank = (status: TcbStatus) => TCB_STATUSES.indexOf(status);

/**
 * TDX: TEE_TCB_SVN gives the TCB the TD was launched under. A TD 1.5 body also reports
 * TEE_TCB_SVN2 (the module running now); when it is set, both are evaluated and the worse
 * status is kept.
 */
export function tdxTcb(info: TcbInfo, pck: PckExtensions, td: TdReportBody): Outcome<TcbResult> {
  const launch = tdxTcbFor(info, pck, td, td.teeTcbSvn);
  if (!launch.ok || !td.teeTcbSvn2 || td.teeTcbSvn2.every((b) => b === 0)) return launch;
  const current = tdxTcbFor(info, pck, td, td.teeTcbSvn2);
  if (!current.ok) return current;
  const worse = rank(current.value.status) > rank(launch.value.status) ? current.value.status : launch.value.status;
  return success({ status: worse, advisoryIds: mergeAdvisories(launch.value.advisoryIds, current.value.advisoryIds) });
}
