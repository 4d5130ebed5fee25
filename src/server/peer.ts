/**
 * The client's address and port as audit entries show them, the same for every edge and for a
 * LIST request replayed by the fallback (list-method.ts); behind an authorized load balancer, the
 * address it forwarded (forwarded-for.ts), with the connection's port, as in Vault.
 */
import { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConnectionTls } from '../core/index.js';
import { canonicalIp } from '../lib/ip-range.js';

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
 * The connection's peer address in the form every record and filter uses (canonicalIp): an IPv4
 * client of a dual-stack (`::`) listener, `::ffff:a.b.c.d` to Node, is `a.b.c.d`, as Vault (Go)
 * reports it. A link-local peer keeps the zone Node appends (`fe80::1%eth0`, the interface it
 * came in on, as Go's RemoteAddr has it), its address part canonical.
 */
export function socketAddress(address: string | undefined): string {
  if (!address) return '';
  const zone = address.indexOf('%');
  const ip = canonicalIp(zone < 0 ? address : address.slice(0, zone));
  if (ip === undefined) return address;
  return zone < 0 ? ip : ip + address.slice(zone);
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
  return { remoteAddress: forwarded ?? socketAddress(raw.socket.remoteAddress), remotePort: port ?? 0, ...(tls ? { tls } : {}) };
}

/** The negotiated protocol and suite of a TLS connection (a replay's mock socket has none). */
function tlsOf(raw: IncomingMessage): ConnectionTls | undefined {
  const socket = raw.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getProtocol !== 'function' || typeof socket.getCipher !== 'function') return undefined;
  const version = socket.getProtocol.call(socket);
  const cipher = socket.getCipher.call(socket);
  return version && cipher?.name ? { version, cipherSuite: cipher.name } : undefined;
}
