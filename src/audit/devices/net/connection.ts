/**
 * One connection to an endpoint: a TCP or unix stream, or a connected UDP socket. It only reports
 * whether it is still usable; reconnecting is the sender's job. Nothing read from the peer is
 * kept — the stream is left flowing so that a peer's close is noticed.
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createConnection, isIP, type Socket } from 'node:net';
import { createLineEncoder } from '../line-encoder.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';

export interface Connection {
  /**
   * Streams write the messages back to back in one write; UDP sends one datagram per message.
   * Returns undefined when the kernel took every byte at once — the usual case, with nothing to
   * wait for — or a promise that resolves when it has. Throws (or rejects) if the write failed.
   */
  send(messages: readonly string[]): Promise<void> | undefined;
  readonly alive: boolean;
  destroy(): void;
}

function streamConnection(socket: Socket): Connection {
  let alive = true;
  const dead = () => { alive = false; };
  socket.on('error', dead);
  socket.on('close', dead);
  // The peer half-closed (listener stopping): anything written now would be lost.
  socket.on('end', () => { dead(); socket.destroy(); });
  socket.resume();
  const encoder = createLineEncoder();
  return {
    get alive() { return alive && !socket.destroyed; },
    destroy: () => { dead(); socket.destroy(); },
    send(messages) {
      // One write of the whole batch, encoded into the connection's reused buffer, which the next
      // batch reuses only once the kernel has taken every byte of this one.
      if (messages.length === 0) return undefined;
      if (!alive || socket.destroyed) throw new Error('the connection is closed');
      let settle: ((err: Error | null | undefined) => void) | undefined;
      socket.write(encoder.encode(messages), (err) => settle?.(err));
      // A write libuv completed at once has already left the stream's count (only its callback
      // waits for the next tick), and a failed one has set `errored`: so most batches need no
      // callback, promise or timer — waiting for the callback cost ~8 µs per batch (BENCHMARKS.md).
      // Node never calls a write's callback before write() returns, so `settle` is set in time.
      if (socket.errored) throw socket.errored;
      if (socket.destroyed) throw new Error('the connection closed while writing');
      if (socket.writableLength === 0) return undefined;
      return new Promise((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
      });
    },
  };
}

function datagramConnection(socket: DgramSocket): Connection {
  let alive = true;
  socket.on('error', () => { alive = false; });
  socket.on('close', () => { alive = false; });
  const sendOne = (message: string) =>
    new Promise<void>((resolve, reject) => socket.send(message, (err) => (err ? reject(err) : resolve())));
  return {
    get alive() { return alive; },
    destroy() {
      if (!alive) return;
      alive = false;
      try { socket.close(); } catch { /* already closed */ }
    },
    async send(messages) {
      // The socket queues datagrams in call order, so they can all be handed over at once.
      await Promise.all(messages.map(sendOne));
    },
  };
}

/** Connects within `timeoutMs`, or rejects and leaves nothing open. */
export function connect(endpoint: Endpoint, timeoutMs: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let cleanup: () => void = () => undefined;
    const timer = setTimeout(() => finish(new Error(`connect to ${describeEndpoint(endpoint)} timed out`)), timeoutMs);
    function finish(err: Error | undefined, conn?: Connection) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        cleanup();
        reject(err);
      } else {
        resolve(conn!);
      }
    }

    if (endpoint.transport === 'udp') {
      const socket = createSocket(isIP(endpoint.host) === 6 ? 'udp6' : 'udp4');
      cleanup = () => { try { socket.close(); } catch { /* never bound */ } };
      socket.once('error', (err) => finish(err));
      socket.connect(endpoint.port, endpoint.host, () => finish(undefined, datagramConnection(socket)));
      return;
    }
    const socket = endpoint.transport === 'unix'
      ? createConnection({ path: endpoint.path })
      : createConnection({ host: endpoint.host, port: endpoint.port, noDelay: true, keepAlive: true });
    cleanup = () => socket.destroy();
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => finish(undefined, streamConnection(socket)));
  });
}
