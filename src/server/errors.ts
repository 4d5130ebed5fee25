/** Maps any thrown error to Vault's error envelope. Internal details go to the log, never the client. */
import { STATUS_BY_KIND, SealtrailError, type ErrorCode } from '../errors/index.js';
import type { HttpReply } from './vault-response.js';

export interface EdgeLog {
  error(obj: object, msg: string): void;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Refusals a client may simply retry, and after how many seconds (the Retry-After header). */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = { journal_busy: 1 };

export function vaultErrorReply(err: unknown, log: EdgeLog): HttpReply {
  let status: number;
  let messages: string[];
  if (err instanceof SealtrailError) {
    status = err.code === 'unsupported_content_type' ? 415 : STATUS_BY_KIND[err.kind];
    messages = status >= 500 && err.kind === 'internal' ? ['internal error'] : [err.message, ...(err.details ?? [])];
    // Vault answers a missing secret with 404 and an empty error list; clients rely on that shape.
    if (err.kind === 'not_found' && err.code === 'not_found') messages = [];
    if (err.kind === 'internal') log.error({ code: err.code, err: err.cause ?? err }, 'internal error');
  } else {
    const fe = err as FastifyLikeError;
    if (fe && fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      messages = ['request body too large'];
    } else if (fe && fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
      messages = ['unsupported content type: send a JSON body (application/json)'];
    } else if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      status = fe.statusCode;
      messages = [fe.message ?? 'bad request'];
    } else {
      status = 500;
      messages = ['internal error'];
      log.error({ err }, 'internal error');
    }
  }
  const retryAfter = err instanceof SealtrailError ? RETRY_AFTER_SECONDS[err.code] : undefined;
  return {
    status, contentType: 'application/json', body: JSON.stringify({ errors: messages }),
    ...(retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } }),
  };
}
