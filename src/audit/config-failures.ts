/**
 * Devices the configuration file declares that could not be enabled (at unseal or on SIGHUP): the
 * error of the first, as it was (kind, code and message, so an unseal answers as before), naming
 * every device that failed and why, for the server log and the journal's `reload` record.
 */
import { SealtrailError } from '../errors/index.js';

export interface ConfigDeviceFailure {
  device: string;
  reason: string;
}

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

export class ConfigDevicesNotEnabled extends SealtrailError {
  readonly failures: readonly ConfigDeviceFailure[];

  constructor(failures: ReadonlyArray<{ device: string; error: unknown }>) {
    const first = failures[0].error;
    if (first instanceof SealtrailError) super(first.kind, first.code, first.message, { cause: first, details: first.details ? [...first.details] : undefined });
    else super('internal', 'internal', `audit device "${failures[0].device}" could not be enabled`, { cause: first });
    this.failures = failures.map((f) => ({ device: f.device, reason: failureReason(f.error) }));
  }
}
