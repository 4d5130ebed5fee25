/**
 * Errors the SDK throws. The server's messages are passed through as they are (the server never
 * puts a token or secret in them); the SDK adds only the method, the path and the status, never
 * the request body, the query or the token.
 */

/** The server answered with an error status (≥ 400). `errors` is Vault's `{"errors": [...]}`. */
export class SealtrailApiError extends Error {
  readonly status: number;
  readonly errors: string[];
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; errors: string[]; method: string; path: string }) {
    const detail = init.errors.length > 0 ? init.errors.join('; ') : `HTTP ${init.status}`;
    super(`${init.method} /v1/${init.path}: ${init.status} ${detail}`);
    this.name = 'SealtrailApiError';
    this.status = init.status;
    this.errors = init.errors;
    this.method = init.method;
    this.path = init.path;
  }
}

/** The request never got an HTTP answer: connection refused, DNS failure, timeout, bad JSON reply. */
export class SealtrailNetworkError extends Error {
  readonly method: string;
  readonly path: string;
  /** What went wrong, without the request line: `connect ECONNREFUSED 127.0.0.1:8200`. */
  readonly reason: string;

  constructor(method: string, path: string, reason: string, cause?: unknown) {
    super(`${method} /v1/${path}: ${reason}`, cause !== undefined ? { cause } : undefined);
    this.name = 'SealtrailNetworkError';
    this.method = method;
    this.path = path;
    this.reason = reason;
  }
}

/**
 * The request was not sent: its body cannot be written as JSON (nested deeper than the stack
 * goes, a BigInt, a cycle), its token cannot go in a header (a line break in it), or its address
 * holds a user name or password. The caller's data is at fault, not the server.
 */
export class SealtrailRequestError extends Error {
  readonly method: string;
  readonly path: string;
  /** Why, without the body: `the body nests too deeply to write as JSON`. */
  readonly reason: string;

  constructor(method: string, path: string, reason: string, cause?: unknown) {
    super(`${method} /v1/${path}: not sent: ${reason}`, cause !== undefined ? { cause } : undefined);
    this.name = 'SealtrailRequestError';
    this.method = method;
    this.path = path;
    this.reason = reason;
  }
}
