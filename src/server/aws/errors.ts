/**
 * Maps any error to AWS's JSON error shape `{"__type", "message"}` and status. Module errors whose
 * code is an AWS exception name (`NotFoundException`, `InvalidLookupAttributesException`) are
 * rendered as is; lifecycle errors map by kind (an ACL refusal is AccessDeniedException).
 * Internal details go to the log; the client sees "internal error".
 */
import { SealtrailError } from '../../errors/index.js';
import type { EdgeLog } from '../errors.js';

export interface AwsErrorReply {
  status: number;
  type: string;
  message: string;
}

const AWS_NAME = /^[A-Z][A-Za-z0-9]*(Exception|Fault|Failure)$/;

export interface ErrorContext {
  /** For ACL refusals: "User: <arn> is not authorized to perform: kms:<Op>". */
  principalArn: string;
  action: string;
  /** KMSInternalException for KMS, InternalFailure for CloudTrail. */
  internalType: string;
}

export function awsErrorReply(err: unknown, ctx: ErrorContext, log: EdgeLog): AwsErrorReply {
  if (err instanceof SealtrailError) {
    if (err.kind === 'internal') {
      log.error({ code: err.code, err: err.cause ?? err }, 'internal error');
      return { status: 500, type: ctx.internalType, message: 'internal error' };
    }
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
      default:
        return { status: 400, type: 'ValidationException', message: err.message };
    }
  }
  const fe = err as { code?: string; statusCode?: number } | undefined;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, type: 'ValidationException', message: 'Request body too large' };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 400, type: 'SerializationException', message: 'The request could not be read' };
  }
  log.error({ err }, 'internal error');
  return { status: 500, type: ctx.internalType, message: 'internal error' };
}
