/**
 * `X-Amz-Target` routing: which service, which operation, which Vault path runs it.
 *
 *   TrentService.<Op>                                             → kms/aws/<Op>    (signed as "kms")
 *   com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>   → trail/aws/<Op>  (signed as "cloudtrail")
 *   CloudTrail_20131101.<Op>                                      → trail/aws/<Op>
 */
import { kmsOperation } from '../../kms/index.js';
import type { Members } from '../../lib/aws-members.js';
import { cloudTrailOperation } from '../../trail/index.js';

export type AwsService = 'kms' | 'cloudtrail';

export interface AwsTarget {
  service: AwsService;
  operation: string;
  /** The logical request path (below /v1/). */
  path: string;
  /** CloudTrail's eventSource for the call. */
  eventSource: string;
  /** Credential-scope service names accepted in the signature. */
  signingServices: readonly string[];
}

const CLOUDTRAIL_PREFIXES = ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.', 'CloudTrail_20131101.'];
const OPERATION = /^[A-Za-z]{1,64}$/;

export function parseTarget(header: string | undefined): AwsTarget | undefined {
  if (!header) return undefined;
  if (header.startsWith('TrentService.')) {
    const operation = header.slice('TrentService.'.length);
    if (!OPERATION.test(operation)) return undefined;
    return { service: 'kms', operation, path: `kms/aws/${operation}`, eventSource: 'kms.amazonaws.com', signingServices: ['kms'] };
  }
  for (const prefix of CLOUDTRAIL_PREFIXES) {
    if (!header.startsWith(prefix)) continue;
    const operation = header.slice(prefix.length);
    if (!OPERATION.test(operation)) return undefined;
    return { service: 'cloudtrail', operation, path: `trail/aws/${operation}`, eventSource: 'cloudtrail.amazonaws.com', signingServices: ['cloudtrail'] };
  }
  return undefined;
}

/** The declared members of the operation a target names; undefined for an unknown operation. */
export function targetOperation(target: AwsTarget): { members: Members } | undefined {
  return target.service === 'kms' ? kmsOperation(target.operation) : cloudTrailOperation(target.operation);
}
