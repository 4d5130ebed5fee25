/**
 * The listener's TLS settings, with Vault's keys and defaults:
 *   tls_min_version / tls_max_version   "tls12" | "tls13" (defaults tls12 and tls13)
 *   tls_require_and_verify_client_cert  a connection without a client certificate that verifies
 *                                       is refused in the handshake (default false)
 *   tls_client_ca_file                  the CA certificates client certificates must chain to;
 *                                       without it, Node's bundled roots (Vault: the system's)
 *   tls_disable_client_certs            no client certificate is asked for; it cannot be combined
 *                                       with the requirement above
 * Vault also takes tls10 and tls11; they are refused here, by name, so a file written for Vault
 * never starts a listener weaker than it asks for without saying so. Without the requirement no
 * client certificate is asked for at all: no auth method reads one.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from './config-error.js';
import { bool, str, type Obj } from './values.js';
import type { ListenerConfig } from './types.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** The listener keys this module reads. */
export const LISTENER_TLS_KEYS = ['tls_min_version', 'tls_max_version', 'tls_client_ca_file', 'tls_require_and_verify_client_cert', 'tls_disable_client_certs'];

const VERSIONS: Record<string, TlsVersion> = { tls12: 'TLSv1.2', tls13: 'TLSv1.3' };
const VERSION_ORDER: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];

function version(body: Obj, key: string): TlsVersion | undefined {
  if (body[key] === undefined) return undefined;
  const name = str(body[key], `listener.${key}`);
  const v = VERSIONS[name];
  if (v) return v;
  if (name === 'tls10' || name === 'tls11') throw new ConfigError(`listener.${key} "${name}" is not supported: TLS 1.0 and 1.1 are refused; use tls12 or tls13`);
  throw new ConfigError(`listener.${key} must be one of tls12, tls13`);
}

/** Reads the TLS keys of a listener block into `listener` (after tls_disable is known). */
export function readListenerTls(body: Obj, listener: ListenerConfig): void {
  listener.tlsMinVersion = version(body, 'tls_min_version') ?? listener.tlsMinVersion;
  listener.tlsMaxVersion = version(body, 'tls_max_version') ?? listener.tlsMaxVersion;
  if (VERSION_ORDER.indexOf(listener.tlsMinVersion) > VERSION_ORDER.indexOf(listener.tlsMaxVersion)) {
    throw new ConfigError('listener.tls_min_version must not be newer than listener.tls_max_version');
  }
  const require = body.tls_require_and_verify_client_cert === undefined ? false : bool(body.tls_require_and_verify_client_cert, 'listener.tls_require_and_verify_client_cert');
  const disable = body.tls_disable_client_certs === undefined ? false : bool(body.tls_disable_client_certs, 'listener.tls_disable_client_certs');
  if (require && disable) throw new ConfigError('listener: tls_disable_client_certs and tls_require_and_verify_client_cert are mutually exclusive');
  listener.tlsRequireClientCert = require;
  if (body.tls_client_ca_file !== undefined) listener.tlsClientCaFile = str(body.tls_client_ca_file, 'listener.tls_client_ca_file');
}

/** What a TLS listener is created with, and given again by a reload (its secure context). */
export interface ListenerTlsOptions {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * Reads the listener's key pair and client CA file. A CA file that holds no certificate is refused:
 * it would make every client certificate fail, or (were it skipped) any one pass.
 */
export function listenerTlsOptions(listener: ListenerConfig): ListenerTlsOptions {
  const options: ListenerTlsOptions = {
    key: readFileSync(listener.tlsKeyFile!),
    cert: readFileSync(listener.tlsCertFile!),
    minVersion: listener.tlsMinVersion,
    maxVersion: listener.tlsMaxVersion,
    requestCert: listener.tlsRequireClientCert,
    rejectUnauthorized: listener.tlsRequireClientCert,
  };
  if (listener.tlsClientCaFile !== undefined) {
    const ca = readFileSync(listener.tlsClientCaFile);
    const problem = caFileProblem(ca);
    if (problem) throw new ConfigError(`listener.tls_client_ca_file ${listener.tlsClientCaFile} ${problem}`);
    options.ca = ca;
  }
  return options;
}

/** What is wrong with a client CA file, if anything: it must hold PEM certificates, each one parsing. */
export function caFileProblem(pem: Buffer): string | undefined {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'holds no PEM certificate';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return 'holds a certificate that does not parse';
    }
  }
  return undefined;
}
