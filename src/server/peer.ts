/**
 * The client's address and port as audit entries show them, the same for every edge and for a
 * LIST request replayed by the fallback (list-method.ts); behind an authorized load balancer, the
 * address it forwarded (forwarded-for.ts), with the connection's port, as in Vault.
 */
import { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConnectionTls } from '../core/index.js';

/**
 * The replay's socket is a mock that knows only the address, so the client's port rides on the
 * replayed request's prototype (a class made per replay): the inject API has no other channel,
 * and none that a client's own bytes could reach.
 */
const REPLAY_PEER_PORT = Symbol('sealtrail.replayPeerPort');

export function replayRequestClass(port: number | undefined): typeof IncomingMessage {
  const Replay = class extends IncomingMessage {};
  Object.defineProperty(Replay.prototype, REPLAY_PEER_PORT, { value: port });
  return Replay;
}

/**
 * An IPv4 client of a dual-stack (`::`) listener appears as `::ffff:a.b.c.d`; Vault (Go) reports
 * it as `a.b.c.d`, and so do we, so that audit entries and filters see one form per client.
 */
export function unmappedAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The client's address an authorized load balancer named (forwarded-for.ts): set on the request only by the server. */
const FORWARDED_ADDRESS = Symbol('sealtrail.forwardedAddress');

export function setForwardedAddress(raw: IncomingMessage, address: string): void {
  Object.defineProperty(raw, FORWARDED_ADDRESS, { value: address });
}

export function peerOf(raw: IncomingMessage): { remoteAddress: string; remotePort: number; tls?: ConnectionTls } {
  const port = (raw as unknown as Record<symbol, number | undefined>)[REPLAY_PEER_PORT] ?? raw.socket.remotePort;
  const forwarded = (raw as unknown as Record<symbol, string | undefined>)[FORWARDED_ADDRESS];
  const tls = tlsOf(raw);
  return { remoteAddress: forwarded ?? unmappedAddress(raw.socket.remoteAddress ?? ''), remotePort: port ?? 0, ...(tls ? { tls } : {}) };
}

/** The negotiated protocol and suite of a TLS connection (a replay's mock socket has none). */
function tlsOf(raw: IncomingMessage): ConnectionTls | undefined {
  const socket = raw.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getProtocol !== 'function' || typeof socket.getCipher !== 'function') return undefined;
  const version = socket.getProtocol.call(socket);
  const cipher = socket.getCipher.call(socket);
  return version && cipher?.name ? { version, cipherSuite: cipher.name } : undefined;
}
