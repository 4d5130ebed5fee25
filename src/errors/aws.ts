/**
 * How an error shows in AWS's JSON shape `{"__type", "message"}`: module errors whose code is an
 * AWS exception name (`NotFoundException`) as they are; lifecycle errors by kind (an ACL refusal is
 * AccessDeniedException). One mapping for the reply and for the CloudTrail event of the same call.
 */
import type { SealtrailError } from './index.js';

export interface AwsError {
  status: number;
  type: string;
  message: string;
}

export interface AwsErrorContext {
  /** For ACL refusals: "User: <arn> is not authorized to perform: kms:<Op>". */
  principalArn: string;
  action: string;
  /** KMSInternalException for KMS, InternalFailure for CloudTrail. */
  internalType: string;
}

const AWS_NAME = /^[A-Z][A-Za-z0-9]*(Exception|Fault|Failure)$/;

export function awsErrorOf(err: SealtrailError, ctx: AwsErrorContext): AwsError {
  if (err.kind === 'internal') return { status: 500, type: ctx.internalType, message: 'internal error' };
  if (AWS_NAME.test(err.code)) return { status: 400, type: err.code, message: err.message };
  switch (err.kind) {
    case 'permission':
      return { status: 400, type: 'AccessDeniedException', message: `User: ${ctx.principalArn} is not authorized to perform: ${ctx.action} because no identity-based policy allows the ${ctx.action} action` };
    case 'not_found':
      return err.code === 'no_route'
        ? { status: 400, type: 'UnknownOperationException', message: '' }
        : { status: 400, type: 'NotFoundException', message: err.message };
    case 'unsupported':
      return { status: 400, type: 'UnknownOperationException', message: '' };
    case 'sealed':
    case 'unavailable':
      return { status: 503, type: 'ServiceUnavailableException', message: err.message };
    case 'rate_limited':
      return { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    // AWS names no exception for an oversized request; its shape stays, with HTTP's status for it.
    case 'too_large':
      return { status: 413, type: 'ValidationException', message: err.message };
    default:
      return { status: 400, type: 'ValidationException', message: err.message };
  }
}
