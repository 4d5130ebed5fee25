/**
 * Maps any error to AWS's JSON error shape and status (`awsErrorOf` for SealtrailErrors; fastify's
 * body errors; anything else is internal). Internal details go to the log; the client sees
 * "internal error".
 */
import { SealtrailError, awsErrorOf, type AwsError, type AwsErrorContext } from '../../errors/index.js';
import type { EdgeLog } from '../errors.js';

export type AwsErrorReply = AwsError;
export type ErrorContext = AwsErrorContext;

export function awsErrorReply(err: unknown, ctx: ErrorContext, log: EdgeLog): AwsErrorReply {
  if (err instanceof SealtrailError) {
    if (err.kind === 'internal') log.error({ code: err.code, err: err.cause ?? err }, 'internal error');
    return awsErrorOf(err, ctx);
  }
  const fe = err as { code?: string; statusCode?: number } | undefined;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, type: 'ValidationException', message: 'Request body too large' };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: 400, type: 'SerializationException', message: 'The request could not be read' };
  }
  log.error({ err }, 'internal error');
  return { status: 500, type: ctx.internalType, message: 'internal error' };
}
