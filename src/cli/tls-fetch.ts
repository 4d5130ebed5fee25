/**
 * A fetch whose connections use the TLS settings (tls-files.ts): undici's own fetch with an Agent
 * of its connector, as Node's global fetch takes no TLS options. undici is loaded only here, on
 * the first run that gives a TLS setting; other runs keep the global fetch and skip its load.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type * as Undici from 'undici';
import type { FetchLike } from '../sdk/index.js';
import type { TlsConnection } from './tls-files.js';

export interface TlsFetch {
  fetch: FetchLike;
  /** Closes the agent's connections. */
  close(): Promise<void>;
}

export function tlsFetch(connection: TlsConnection): TlsFetch {
  const undici = createRequire(import.meta.url)('undici') as typeof Undici;
  const { serverName } = connection;
  const base = undici.buildConnector({
    rejectUnauthorized: connection.rejectUnauthorized,
    ...(connection.ca ? { ca: connection.ca } : {}),
    ...(connection.cert !== undefined ? { cert: connection.cert, key: connection.key } : {}),
    // The certificate must hold the given name, whatever host the address names (Go's ServerName).
    ...(serverName ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert) } : {}),
  });
  // undici sends the address's host as SNI ahead of the connector's own option: set it per
  // connection instead. An IP address is never sent as SNI (RFC 6066), only verified.
  const connect: Undici.buildConnector.connector = serverName
    ? (options, callback) => base({ ...options, servername: isIP(serverName) ? '' : serverName }, callback)
    : base;
  const agent = new undici.Agent({ connect });
  return {
    fetch: (input, init) => undici.fetch(input, { ...(init as Undici.RequestInit), dispatcher: agent }) as unknown as Promise<Response>,
    close: () => agent.close(),
  };
}
