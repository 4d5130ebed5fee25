/**
 * Errors carry a stable `code` and a `kind`. The HTTP edge maps kind → status and body (Vault
 * `{"errors": [...]}` or AWS `{"__type", "message"}`); nothing else decides a status code.
 * Messages are shown to clients, so they never contain a token, secret or plaintext value. Every
 * code is listed in codes.ts (and docs/errors.md).
 */
import type { ErrorCode } from './codes.js';
import type { ErrorKind } from './kind.js';

export type { ErrorKind } from './kind.js';

export interface SealtrailErrorOptions {
  cause?: unknown;
  details?: string[];
  auditData?: Record<string, unknown>;
  auditMessage?: string;
  outcomeFacts?: Readonly<Record<string, unknown>>;
}

export class SealtrailError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  /** Extra messages for Vault's `errors` array or warnings. */
  readonly details?: readonly string[];
  /**
   * Response data recorded in the audit entry of the failed request (hashed like any response
   * data) but never sent to the client — e.g. the correlation id of a failed attestation.
   */
  readonly auditData?: Readonly<Record<string, unknown>>;
  /**
   * The error text for audit entries when operators must see something other than the client:
   * more (why an unauthenticated login was refused, which would tell a prober what it got right),
   * or less (AWS's messages repeat the alias or key the caller sent, which the entry hashes).
   * Absent = `message`.
   */
  readonly auditMessage?: string;
  /**
   * What the handler learned before it failed, for its mount's own record (`recordOutcome`: a
   * failed KMS Decrypt's event still names its key). Never sent to the client nor audited.
   */
  readonly outcomeFacts?: Readonly<Record<string, unknown>>;

  constructor(kind: ErrorKind, code: ErrorCode, message: string, options?: SealtrailErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SealtrailError';
    this.kind = kind;
    this.code = code;
    this.details = options?.details;
    this.auditData = options?.auditData;
    this.auditMessage = options?.auditMessage;
    this.outcomeFacts = options?.outcomeFacts;
  }

  /** The same error, with response data for its audit entry. */
  withAuditData(auditData: Record<string, unknown>): SealtrailError {
    return this.copyWith({ auditData });
  }

  /** The same error, with the text its audit entries record instead of `message`. */
  withAuditMessage(auditMessage: string): SealtrailError {
    return this.copyWith({ auditMessage });
  }

  /** The same error, carrying the handler's facts for its mount's own record. */
  withOutcomeFacts(outcomeFacts: Readonly<Record<string, unknown>>): SealtrailError {
    return this.copyWith({ outcomeFacts });
  }

  private copyWith(changes: Pick<SealtrailErrorOptions, 'auditData' | 'auditMessage' | 'outcomeFacts'>): SealtrailError {
    return new SealtrailError(this.kind, this.code, this.message, {
      cause: this.cause,
      details: this.details ? [...this.details] : undefined,
      auditData: this.auditData ? { ...this.auditData } : undefined,
      auditMessage: this.auditMessage,
      outcomeFacts: this.outcomeFacts,
      ...changes,
    });
  }

  /** What an audit entry records as the error. */
  get auditText(): string {
    return this.auditMessage ?? this.message;
  }
}

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  permission: 403,
  not_found: 404,
  unsupported: 405,
  conflict: 400,
  too_large: 413,
  rate_limited: 429,
  uninitialized: 400,
  sealed: 503,
  unavailable: 503,
  internal: 500,
};

/** Shorthands for the common cases; the code names the failure for logs and tests. */
export const invalid = (message: string, code: ErrorCode = 'invalid_request') => new SealtrailError('invalid', code, message);
export const permissionDenied = (code: ErrorCode = 'permission_denied') => new SealtrailError('permission', code, 'permission denied');
export const notFound = (message = 'not found', code: ErrorCode = 'not_found') => new SealtrailError('not_found', code, message);
export const unsupportedOperation = (code: ErrorCode = 'unsupported_operation') =>
  new SealtrailError('unsupported', code, 'unsupported operation');
export const sealed = () => new SealtrailError('sealed', 'sealed', 'Vault is sealed');
export const internal = (cause?: unknown) => new SealtrailError('internal', 'internal', 'internal error', { cause });

export function isSealtrailError(err: unknown): err is SealtrailError {
  return err instanceof SealtrailError;
}

export { ERROR_CODES, AWS_ERROR_TYPES, errorSpec, type ErrorCode, type ErrorSpec, type VaultErrorCode, type AwsErrorType } from './codes.js';

/** The same errors in AWS's JSON shape (aws.ts). */
export { awsErrorOf, type AwsError, type AwsErrorContext } from './aws.js';
