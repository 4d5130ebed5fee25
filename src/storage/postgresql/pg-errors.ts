/**
 * What a PostgreSQL failure becomes. A lost or refused connection, a server shutting down, out
 * of disk or read-only, or a query timeout is `storage_unavailable` (503: retry later, maybe on another node); anything else
 * is an internal error. The client sees neither the SQL nor the connection URL; the server log
 * gets the driver's error as the cause (the driver never puts the password in its messages).
 */
import { SealtrailError } from '../../errors/index.js';

/** SQLSTATE classes of a connection that is gone or a server that cannot serve. */
const UNAVAILABLE_CLASSES = ['08', '53', '57'];
/** read_only_sql_transaction: a server in recovery, a promoted standby's old primary, default_transaction_read_only. */
const UNAVAILABLE_CODES = new Set(['25006']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Messages pg's Pool and Client give when a connection ends or a timeout passes. */
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout/i, /Client has encountered a connection error/i, /not queryable/i];

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE_NODE_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && (UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) || UNAVAILABLE_CODES.has(code))) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return code === '' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

export function storageError(err: unknown): SealtrailError {
  if (err instanceof SealtrailError) return err;
  if (isUnavailable(err)) {
    return new SealtrailError('unavailable', 'storage_unavailable', 'storage is unavailable: the PostgreSQL database cannot be reached', { cause: err });
  }
  return new SealtrailError('internal', 'storage_failed', 'internal error', { cause: err });
}

/** A connection URL as it may be shown: scheme, host, port and database, never user or password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable connection URL)';
  }
}

/**
 * Why the storage could not open, for the operator starting the server: the driver's or the
 * server's message (a refused connection, a failed login, a missing database), with the URL and
 * its password cut out should they appear in it.
 */
export function openingError(err: unknown, url: string): Error {
  const e = storageError(err);
  let reason = err instanceof Error ? err.message : String(err);
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = '';
  }
  for (const secret of [url, password]) if (secret !== '') reason = reason.split(secret).join('***');
  e.message = `cannot open the PostgreSQL storage at ${redactUrl(url)}: ${reason.slice(0, 300)}`;
  return e;
}
