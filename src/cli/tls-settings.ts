/**
 * The TLS client settings, taken as the vault CLI takes them (vault's api.TLSConfig, read by
 * Config.ReadEnvironment and command/base.go): each from its flag, else SEALTRAIL_<NAME>, else
 * VAULT_<NAME>; an empty value counts as unset.
 *
 *   -ca-cert          SEALTRAIL_CACERT, VAULT_CACERT                PEM file of CA certificates
 *   -ca-path          SEALTRAIL_CAPATH, VAULT_CAPATH                directory of PEM files
 *   -client-cert      SEALTRAIL_CLIENT_CERT, VAULT_CLIENT_CERT      PEM client certificate
 *   -client-key       SEALTRAIL_CLIENT_KEY, VAULT_CLIENT_KEY        its PEM private key
 *   -tls-skip-verify  SEALTRAIL_SKIP_VERIFY, VAULT_SKIP_VERIFY      no server verification
 *   -tls-server-name  SEALTRAIL_TLS_SERVER_NAME, VAULT_TLS_SERVER_NAME  SNI and name verified
 *
 * Settings are resolved one by one, so a flag overrides its own variable only (as in vault, whose
 * flags take their variable as default). This file only names them; tls-files.ts reads the files.
 */
import { parseGoBool } from './argv.js';
import { CliExit, EXIT_REMOTE } from './failure.js';

/** The global flags, as commander fills them (`-tls-skip-verify=false` is `false`, absent `undefined`). */
export interface TlsFlags {
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
}

/** A value and where it came from (`-ca-cert`, `VAULT_CACERT`), for messages. */
export interface Given<T> {
  value: T;
  from: string;
}

export interface TlsSettings {
  caCert?: Given<string>;
  caPath?: Given<string>;
  clientCert?: Given<string>;
  clientKey?: Given<string>;
  skipVerify: boolean;
  serverName?: Given<string>;
}

type Env = Record<string, string | undefined>;

/** The settings that are text: their key here, their flag (commander's key and vault's name) and variable suffix. */
const TEXT_SETTINGS = [
  { key: 'caCert', flag: 'caCert', name: '-ca-cert', suffix: 'CACERT' },
  { key: 'caPath', flag: 'caPath', name: '-ca-path', suffix: 'CAPATH' },
  { key: 'clientCert', flag: 'clientCert', name: '-client-cert', suffix: 'CLIENT_CERT' },
  { key: 'clientKey', flag: 'clientKey', name: '-client-key', suffix: 'CLIENT_KEY' },
  { key: 'serverName', flag: 'tlsServerName', name: '-tls-server-name', suffix: 'TLS_SERVER_NAME' },
] as const;

function fromEnv(env: Env, suffix: string): Given<string> | undefined {
  for (const from of [`SEALTRAIL_${suffix}`, `VAULT_${suffix}`]) {
    const value = env[from]?.trim();
    if (value) return { value, from };
  }
  return undefined;
}

/** The settings the flags and `env` give; undefined when they give none (the plain fetch serves then). */
export function resolveTls(flags: TlsFlags, env: Env): TlsSettings | undefined {
  const settings: TlsSettings = { skipVerify: skipVerifyOf(flags, env) };
  let any = settings.skipVerify;
  for (const { key, flag, name, suffix } of TEXT_SETTINGS) {
    const flagValue = flags[flag]?.trim();
    const given = flagValue ? { value: flagValue, from: name } : fromEnv(env, suffix);
    if (given) {
      settings[key] = given;
      any = true;
    }
  }
  if ((settings.clientCert === undefined) !== (settings.clientKey === undefined)) {
    // vault: "both client cert and client key must be provided".
    const given = settings.clientCert ?? settings.clientKey!;
    const missing = settings.clientCert ? 'a client key (-client-key, SEALTRAIL_CLIENT_KEY or VAULT_CLIENT_KEY)' : 'a client certificate (-client-cert, SEALTRAIL_CLIENT_CERT or VAULT_CLIENT_CERT)';
    throw new CliExit(EXIT_REMOTE, `sealtrail: ${given.from} is given without ${missing}: both are needed`);
  }
  return any ? settings : undefined;
}

function skipVerifyOf(flags: TlsFlags, env: Env): boolean {
  if (flags.tlsSkipVerify !== undefined) return flags.tlsSkipVerify;
  for (const name of ['SEALTRAIL_SKIP_VERIFY', 'VAULT_SKIP_VERIFY']) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = parseGoBool(raw);
    // vault refuses to start a client on it ("could not parse VAULT_SKIP_VERIFY").
    if (value === undefined) throw new CliExit(EXIT_REMOTE, `sealtrail: ${name} must be true or false (1, t, true, 0, f, false)`);
    return value;
  }
  return false;
}
