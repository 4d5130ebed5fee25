/**
 * Exit codes, as the vault CLI uses them (mitchellh/cli + vault's command/*.go):
 *   0   success
 *   1   local errors: bad flags, wrong number of arguments, unreadable input file, bad key=value
 *       (vault returns 1 for these — "usage" errors are local errors there, not 2)
 *   2   remote errors: the server answered with an error or did not answer; also "No value found"
 *       and the state answers `status` (sealed) and `operator init -status` (not initialized);
 *       also a client the TLS settings cannot make (a missing or bad certificate file), as vault
 *       commands return 2 when their Client() fails
 *   3   a verification found the evidence bad (`ledger verify`, `ledger verify-bundle`, `ledger
 *       prove`): distinct from 1 and 2, which say the check could not be made
 *   127 unknown command
 *   141 stdout's reader went away (`| head`): as a program ended by SIGPIPE (io.ts)
 * Messages never contain the token or a secret value: API errors show the server's `errors`
 * (which never contain them) and local errors name files and flags, not their contents. A failure
 * of the machine (a missing file, a full disk, a file that is no database) is one line,
 * `sealtrail: <what>: <reason>`, as coreutils say it.
 */
import { getSystemErrorMap } from 'node:util';
import { SealtrailError, type ErrorCode } from '../errors/index.js';
import { SealtrailApiError, SealtrailNetworkError, SealtrailRequestError } from '../sdk/index.js';
import { printable } from './printable.js';

export const EXIT_OK = 0;
export const EXIT_LOCAL = 1;
export const EXIT_REMOTE = 2;
export const EXIT_VERIFY_FAILED = 3;
export const EXIT_UNKNOWN_COMMAND = 127;

/** Ends the command with `exitCode`; `message` (if any) goes to stderr. */
export class CliExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.name = 'CliExit';
    this.exitCode = exitCode;
  }
}

/** Bad input on the command line: a SealtrailError of kind 'invalid', which exits 1. */
export const usageError = (message: string, code: ErrorCode = 'cli_usage') => new SealtrailError('invalid', code, message);

/** The exit code and message for anything a command threw. */
export function exitFor(err: unknown): { exitCode: number; message: string } {
  if (err instanceof CliExit) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof SealtrailError && err.kind === 'invalid') return { exitCode: EXIT_LOCAL, message: err.message };
  const detail = remoteDetail(err);
  if (detail !== undefined) return { exitCode: EXIT_REMOTE, message: `Error: ${detail}` };
  const local = localFailure(err);
  if (local !== undefined) return { exitCode: EXIT_LOCAL, message: local };
  // Data given to a command that no request can carry: the SDK sent nothing.
  if (err instanceof SealtrailRequestError) {
    if (!err.reason.startsWith('the body')) return { exitCode: EXIT_LOCAL, message: `sealtrail: ${printable(err.path)}: ${err.reason}: nothing was sent` };
    const why = err.cause instanceof RangeError ? 'nests too deeply to write as JSON' : 'cannot be written as JSON';
    return { exitCode: EXIT_LOCAL, message: `sealtrail: the data for ${printable(err.path)} ${why}: nothing was sent` };
  }
  // Nothing a server sends gets here: the SDK refuses an answer nested deeper than it can show
  // (MAX_RESPONSE_DEPTH) before parsing it. Still one line, not a stack trace.
  if (err instanceof RangeError && /call stack/i.test(err.message)) return { exitCode: EXIT_LOCAL, message: 'sealtrail: a value nests deeper than the CLI\'s stack goes' };
  // A bug: say so plainly; the stack helps a bug report and contains no request data.
  return { exitCode: EXIT_LOCAL, message: `Unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}` };
}

/**
 * The line for a failed system call (ENOENT, EISDIR, ENOSPC, ...) or a file SQLite refuses: the
 * machine's state, not a bug. It names the error's own path, else `path` (the file the caller was
 * working on: a read or write has no path of its own), else the call. Undefined for anything else.
 */
export function localFailure(err: unknown, path?: string): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code !== 'string') return undefined;
  if (e.code === 'SQLITE_NOTADB') return `sealtrail: ${path ?? 'the file'} is not a Sealtrail journal`;
  if (e.code.startsWith('SQLITE_')) return `sealtrail: ${path ?? 'the journal database'}: ${e.message}`;
  // An error a worker thread passed on keeps its code and message only (journal/import/import-writer.ts).
  if (typeof e.syscall !== 'string' && !/^E[A-Z0-9]+$/.test(e.code)) return undefined;
  const quoted = /, \w+ '(.*)'$/.exec(e.message)?.[1];
  return `sealtrail: ${e.path ?? path ?? quoted ?? e.syscall ?? e.code}: ${systemReason(e)}`;
}

/** libuv's words for the error ("no such file or directory"), without the code and call Node adds. */
function systemReason(e: NodeJS.ErrnoException): string {
  const described = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return described ?? /^E[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
}

/** Runs `action` on the local file `path`: a failure of the machine names the file and exits 1. */
export async function onFile<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    const message = localFailure(err, path);
    if (message === undefined) throw err;
    throw new CliExit(EXIT_LOCAL, message);
  }
}

/**
 * The server answered, but not as the command needs: a 404 where the path always exists, a body
 * of the wrong shape. A remote error (exit 2) like an error status.
 */
export class RemoteAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteAnswerError';
  }
}

/** A server's answer that lacks what the command prints: `what` says what it is missing. */
export const wrongAnswer = (what: string) => new RemoteAnswerError(`the server's answer ${what}`);

/** `value` when it is a list of strings, as `what` must be; a wrongAnswer otherwise. */
export function textList(value: unknown, what: string): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw wrongAnswer(`has no list of ${what}`);
}

/** The server's side of a failure in one line: its errors joined, or what kept it from answering. */
export function remoteDetail(err: unknown): string | undefined {
  if (err instanceof RemoteAnswerError) return printable(err.message);
  if (err instanceof SealtrailApiError) return err.errors.length > 0 ? printable(err.errors.join('; ')) : `HTTP ${err.status}`;
  if (err instanceof SealtrailNetworkError) return printable(err.reason) + tlsAdvice(err);
  return undefined;
}

/** TLS failures a setting of the CLI's cures (tls-settings.ts), by the code Node gives them. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED',
]);

/**
 * What to do about a failed TLS connection, as ` (...)` to follow its reason, or '' for any other
 * failure. Node keeps the TLS error's code in the fetch error's `cause`.
 */
export function tlsAdvice(err: unknown): string {
  let code: unknown;
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') break;
  }
  if (typeof code !== 'string') return '';
  if (UNTRUSTED.has(code)) return ' (the server\'s certificate is not from a CA the CLI trusts: name the CA with -ca-cert or -ca-path, or SEALTRAIL_CACERT or SEALTRAIL_CAPATH)';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return ' (the server\'s certificate is not for this name: use an address with a name it holds, or -tls-server-name)';
  return '';
}

/**
 * Runs `action`, turning SDK failures into `Error <doing>: <detail>` with exit 2 (or `exitCode`).
 * Anything else (a bug, a CliExit) passes through unchanged.
 */
export async function remote<T>(doing: string, action: () => Promise<T>, exitCode = EXIT_REMOTE, explain: (detail: string) => string = (d) => d): Promise<T> {
  try {
    return await action();
  } catch (err) {
    const detail = remoteDetail(err);
    if (detail === undefined) throw err;
    throw new CliExit(exitCode, `Error ${doing}: ${explain(detail)}`);
  }
}
