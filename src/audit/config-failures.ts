/** Devices the configuration file declares that could not be enabled (at unseal or on SIGHUP). */
import { SealtrailError } from '../errors/index.js';

/**
 * Why a device could not be enabled, without the option values that can hold a secret. A
 * SealtrailError's message is shown to API clients and is built for that: a file device names its
 * path, a network device its address, an http device its URL's origin — never the URL's path,
 * query or credentials, nor a header value. Any other error is named by its errno code only.
 */
export function failureReason(err: unknown): string {
  if (err instanceof SealtrailError) return err.message.length > 300 ? `${err.message.slice(0, 300)}…` : err.message;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
