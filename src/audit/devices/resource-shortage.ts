/**
 * Errors by which the system says the server itself ran out of something, as opposed to the
 * device's options naming something wrong. Enabling a device that fails for such a reason is the
 * server's failure (503, retry later), not a bad request (400, as Vault's "sanity check failed").
 */
import { SealtrailError } from '../../errors/index.js';

const SHORTAGES: Readonly<Record<string, string>> = {
  EMFILE: 'the server process is out of file descriptors',
  ENFILE: 'the system is out of file descriptors',
  ENOMEM: 'the system is out of memory',
  ENOBUFS: 'the system is out of socket buffers',
};

/** The shortage's error code, looked for along the cause chain; undefined for any other error. */
export function resourceShortage(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && Object.hasOwn(SHORTAGES, code)) return code;
  }
  return undefined;
}

/** The 503 for a device that `what` could not be done for because of the shortage `code`. */
export function shortageError(what: string, code: string): SealtrailError {
  return new SealtrailError('unavailable', 'audit_server_resources',
    `${what}: ${SHORTAGES[code] ?? 'the server is out of resources'} (${code}); the request is not at fault, try again once the server has recovered`);
}
