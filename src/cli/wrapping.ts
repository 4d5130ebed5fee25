/**
 * Response wrapping from the command line, as the vault CLI does it: the global `-wrap-ttl` flag,
 * else SEALTRAIL_WRAP_TTL, else VAULT_WRAP_TTL, is sent as X-Vault-Wrap-TTL with every request
 * of the command (the KV preflight excepted, as in vault: kv-target.ts). A wrapped answer ends the
 * command, whose own output would have nothing to show: it is printed as vault prints one, the
 * `wrapping_token` rows, the JSON with its `wrap_info`, or one `-field` (`-field=wrapping_token`).
 */
import type { VaultResponse } from '../sdk/index.js';
import { parseDurationMs } from '../lib/time.js';
import { usageError } from './failure.js';
import { printField, type Output } from './output.js';
import { printable } from './printable.js';

/** Thrown by the client when an answer comes back wrapped; runCli prints it (printWrapped). */
export class WrappedAnswer extends Error {
  constructor(readonly answer: VaultResponse<null>) {
    super('the answer is a wrapping token');
    this.name = 'WrappedAnswer';
  }
}

type Env = Record<string, string | undefined>;

/**
 * The wrapping TTL to ask for, as given (the server reads the same durations: `5m`, `1h30m`, `300`);
 * undefined for none. A flag wins over the variables, so `-wrap-ttl=0` turns off what one asks for.
 */
export function resolveWrapTtl(flag: string | undefined, env: Env): string | undefined {
  const given = flag !== undefined ? { value: flag.trim(), from: 'flag -wrap-ttl' } : fromEnv(env);
  if (given === undefined || given.value === '') return undefined;
  const ms = parseDurationMs(given.value);
  if (ms === undefined) {
    throw usageError(`invalid value ${JSON.stringify(printable(given.value.slice(0, 200)))} for ${given.from}: expected a duration such as 30s, 5m or 1h, or a number of seconds`);
  }
  return ms === 0 ? undefined : given.value;
}

function fromEnv(env: Env): { value: string; from: string } | undefined {
  for (const from of ['SEALTRAIL_WRAP_TTL', 'VAULT_WRAP_TTL']) {
    const value = env[from]?.trim();
    if (value) return { value, from };
  }
  return undefined;
}

/** What the vault CLI prints for a wrapped answer: `field` alone when the command was given -field. */
export function printWrapped(out: Output, answer: VaultResponse<null>, field: string | undefined, stdoutIsTty: boolean): void {
  if (field) printField(out, answer, field, stdoutIsTty);
  else out.secret(answer);
}
