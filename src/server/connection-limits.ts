/**
 * How long a connection may take and how many may be open, as node's HTTP server options. Without
 * them a client that connects and sends nothing, or sends its headers a byte at a time, holds a
 * socket and a descriptor for ever; enough of them and new clients are refused.
 *
 *   header timeout  request line and headers complete within it (408, then closed); on a TLS
 *                   listener the handshake too (closed), as Go's server bounds it
 *   read timeout    the whole request, body included, complete within it
 *   idle timeout    a keep-alive connection waiting for its next request, or a socket with no
 *                   traffic at all (a client that stops reading its answer), is closed after it
 *   max connections connections beyond it are closed as soon as they are accepted; at the cap,
 *                   keep-alive connections waiting for their next request are closed to make room
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenerConfig } from '../config/index.js';
import { whenResponseClosed } from './response-closed.js';

export type ConnectionLimits = Pick<ListenerConfig, 'httpReadHeaderTimeoutMs' | 'httpReadTimeoutMs' | 'httpIdleTimeoutMs' | 'maxConnections'>;

/**
 * How often node looks for requests past their header or read timeout: a quarter of the header
 * timeout, between 100 ms and 5 s (node's default, 30 s, would let a 10 s timeout run to 40 s).
 */
export function checkingIntervalMs(limits: ConnectionLimits): number {
  return Math.min(5000, Math.max(100, Math.floor(limits.httpReadHeaderTimeoutMs / 4)));
}

/** The node server options for these limits (given to `http.createServer` / `https.createServer`). */
export function nodeServerOptions(limits: ConnectionLimits) {
  return {
    headersTimeout: limits.httpReadHeaderTimeoutMs,
    requestTimeout: limits.httpReadTimeoutMs,
    keepAliveTimeout: limits.httpIdleTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(limits),
  };
}

/**
 * The node server options of a TLS listener: the handshake is held to the header timeout. Node's
 * own, two minutes, would let a client that connects and sends nothing keep its socket twelve
 * times as long as on a plain listener, since the header timeout starts only after the handshake.
 */
export function tlsServerOptions(limits: ConnectionLimits) {
  return { ...nodeServerOptions(limits), handshakeTimeout: limits.httpReadHeaderTimeoutMs };
}

/** The same limits as fastify's options: fastify sets these on the server after creating it. */
export function fastifyServerOptions(limits: ConnectionLimits) {
  return {
    requestTimeout: limits.httpReadTimeoutMs,
    keepAliveTimeout: limits.httpIdleTimeoutMs,
    connectionTimeout: limits.httpIdleTimeoutMs,
  };
}

/**
 * Makes room at `max` open connections by closing the keep-alive ones that are waiting for their
 * next request, as nginx reuses its idle keep-alive connections. Otherwise one client could hold
 * every connection the cap allows, each answered once and renewed by a request before its idle
 * timeout, and every other client would be refused for as long as it likes. A connection that was
 * never answered (a fresh one, one whose request is still arriving or being handled) is not
 * closed here: the header and read timeouts bound those.
 */
export function reclaimIdleConnectionsAtCap(server: Server, max: number): void {
  const waiting = new Set<Socket>();
  const handling = new WeakMap<Socket, number>();
  let open = 0;

  const reclaim = () => {
    for (const socket of waiting) socket.destroy();
    waiting.clear();
  };

  // Before node's own listener: the new connection is counted, and never among those closed.
  server.prependListener('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => open--);
    if (open >= max) reclaim();
  });
  server.on('drop', reclaim);
  server.on('request', (req, res) => {
    const socket = req.socket;
    if (!handling.has(socket)) socket.once('close', () => waiting.delete(socket));
    waiting.delete(socket);
    handling.set(socket, (handling.get(socket) ?? 0) + 1);
    whenResponseClosed(res, () => {
      const left = (handling.get(socket) ?? 1) - 1;
      handling.set(socket, left);
      if (left === 0 && !socket.destroyed) waiting.add(socket);
    });
  });
}
