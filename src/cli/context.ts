/**
 * What every command needs: the output in the chosen format and a client configured like the
 * vault CLI configures its own —
 *   address: -address flag, then SEALTRAIL_ADDR, then VAULT_ADDR, then http://127.0.0.1:8200
 *   token:   SEALTRAIL_TOKEN, then VAULT_TOKEN (unless VAULT_ADDR names another server than
 *            SEALTRAIL_ADDR), then the token file written by `login`
 *            (in vault too, VAULT_TOKEN wins over the token helper's ~/.vault-token)
 *   format:  -format flag, then SEALTRAIL_FORMAT, then VAULT_FORMAT, then table
 *   TLS:     -ca-cert, -ca-path, -client-cert, -client-key, -tls-skip-verify, -tls-server-name,
 *            then SEALTRAIL_<NAME>, then VAULT_<NAME> (tls-settings.ts)
 *   wrapping: -wrap-ttl, then SEALTRAIL_WRAP_TTL, then VAULT_WRAP_TTL, then none (wrapping.ts)
 */
import { SealtrailClient, addressFromEnv, tokenFromEnv, type FetchLike } from '../sdk/index.js';
import { usageError } from './failure.js';
import { printable } from './printable.js';
import type { CliIo } from './io.js';
import { OUTPUT_FORMATS, Output, type OutputFormat } from './output.js';
import { tlsFetch } from './tls-fetch.js';
import { loadTls } from './tls-files.js';
import { resolveTls, type TlsFlags } from './tls-settings.js';
import { readStoredToken } from './token-store.js';
import { WrappedAnswer, resolveWrapTtl } from './wrapping.js';

export interface GlobalOptions extends TlsFlags {
  address?: string;
  format?: string;
  wrapTtl?: string;
}

export interface CliContext {
  io: CliIo;
  /** Reads the global options at call time (commander fills them while parsing). */
  globals(): GlobalOptions;
  output(): Output;
  /**
   * What every request to a server goes through: io's fetch, else one with the TLS settings when
   * any is given, else the global fetch. A bad setting or file rejects (exit 2, as vault).
   */
  fetch(): Promise<FetchLike>;
  /** A client with the resolved address, token and wrapping TTL. */
  client(): Promise<SealtrailClient>;
  /** A client with the resolved address and no token (for sys/seal-status, sys/init, ...). */
  anonymousClient(): Promise<SealtrailClient>;
  /** Closes the connections the run opened (runCli calls it when the command ends). */
  close(): Promise<void>;
}

export function resolveFormat(globals: GlobalOptions, env: CliIo['env']): OutputFormat {
  const raw = (globals.format ?? env.SEALTRAIL_FORMAT ?? env.VAULT_FORMAT ?? 'table').trim().toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(raw)) {
    throw usageError(`Invalid output format: ${raw} (expected one of: ${OUTPUT_FORMATS.join(', ')})`);
  }
  return raw as OutputFormat;
}

/** The server's address; one that is not an http:// or https:// URL is refused, naming where it came from. */
export function resolveAddress(globals: GlobalOptions, env: CliIo['env']): string {
  const flag = globals.address?.trim();
  const address = flag ? flag : addressFromEnv(env);
  let protocol: string | undefined;
  try {
    protocol = new URL(address).protocol;
  } catch { /* refused below */ }
  if (protocol !== 'http:' && protocol !== 'https:') {
    const source = flag ? '-address' : env.SEALTRAIL_ADDR?.trim() ? 'SEALTRAIL_ADDR' : 'VAULT_ADDR';
    throw usageError(`the server address ${JSON.stringify(printable(address.slice(0, 200)))} (${source}) is not an http:// or https:// URL; for example http://127.0.0.1:8200`);
  }
  return address;
}

export async function resolveToken(io: CliIo): Promise<string | undefined> {
  return tokenFromEnv(io.env) ?? (await readStoredToken(io.homeDir));
}

export function createContext(io: CliIo, globals: () => GlobalOptions): CliContext {
  let fetching: Promise<FetchLike> | undefined;
  let closeTls: (() => Promise<void>) | undefined;
  const fetch = () => (fetching ??= (async () => {
    const settings = resolveTls(globals(), io.env);
    // Checked even when io brings its own fetch, so a bad setting fails the same way everywhere.
    const connection = settings ? await loadTls(settings) : undefined;
    if (io.fetch) return io.fetch;
    if (!connection) return (input, init) => globalThis.fetch(input, init);
    const tls = tlsFetch(connection);
    closeTls = tls.close;
    return tls.fetch;
  })());
  const make = async (token: string | undefined) => {
    const client = new SealtrailClient({
      address: resolveAddress(globals(), io.env),
      wrapTtl: resolveWrapTtl(globals().wrapTtl, io.env),
      // A wrapped answer (asked for, or a rewrap's) ends the command: runCli prints it.
      onWrapped: (answer) => { throw new WrappedAnswer(answer); },
      fetch: await fetch(),
    });
    // Set explicitly: the SDK's own default reads process.env, but the CLI resolved the token from io.
    client.setToken(token);
    return client;
  };
  return {
    io,
    globals,
    output: () => new Output(io, resolveFormat(globals(), io.env)),
    fetch,
    client: async () => make(await resolveToken(io)),
    anonymousClient: () => make(undefined),
    close: async () => {
      await closeTls?.();
    },
  };
}
