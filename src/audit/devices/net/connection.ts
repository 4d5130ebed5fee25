/**
 * One connection to an endpoint: a TCP or unix stream, or a connected UDP socket. It only reports
 * whether it is still usable and what it lost; reconnecting is the sender's job. Nothing read from
 * the peer is kept — the stream is left flowing so that a peer's close is noticed.
 *
 * A stream connection accounts for every batch until the kernel has taken it. When it ends badly
 * (error, the peer closed it, or it is destroyed while the peer is not reading) it reports the
 * batches still in this process as abandoned, and the entries of the last bytes the kernel took
 * (kernel-window.ts) as possibly lost: they were counted as sent.
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createConnection, isIP, type Socket } from 'node:net';
import type { DeliveryLosses } from '../types.js';
import { createLineEncoder } from '../line-encoder.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';
import { createKernelWindow, kernelCapacity } from './kernel-window.js';

export type ConnectionLoss = Omit<DeliveryLosses, 'connections'>;

export interface Connection {
  /**
   * Streams write the messages back to back in one write; UDP sends one datagram per message.
   * Returns undefined when the kernel took every byte at once — the usual case, with nothing to
   * wait for — or a promise that resolves when it has, or rejects after `timeoutMs` (the bytes
   * then stay queued on the connection, see `backlog`). Throws (or rejects) if the write failed.
   */
  send(messages: readonly string[], timeoutMs: number): Promise<void> | undefined;
  readonly alive: boolean;
  /** Bytes written that the kernel has not taken yet: the peer is not reading. */
  readonly backlog: number;
  /**
   * Closes the connection. Bytes the kernel holds are still sent by it; bytes it has not taken
   * are dropped and reported as a loss.
   */
  destroy(): void;
}

/** Called once when a connection ends with entries at risk. */
export type LossListener = (loss: ConnectionLoss) => void;

/** A batch the peer did not take in time; its bytes stay queued on the connection. */
export class WriteTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** A UDP receiver reported unreachable: the connection stays (it is the receiver that is gone). */
export class ReceiverUnreachableError extends Error {
  readonly code = 'ECONNREFUSED';
}

interface Batch {
  readonly bytes: number;
  readonly entries: number;
  /** The sender still waits for this batch (its outcome is the sender's to count). */
  awaited: boolean;
}

function streamConnection(socket: Socket, transport: 'tcp' | 'unix', onLoss: LossListener): Connection {
  const window = createKernelWindow(kernelCapacity(transport));
  /** Written, not yet known to be taken by the kernel; in write order. */
  const inStream: Batch[] = [];
  let alive = true;

  const takeThrough = (batch: Batch) => {
    const i = inStream.indexOf(batch);
    if (i < 0) return;
    for (const b of inStream.splice(0, i + 1)) window.taken(b.bytes, b.entries);
  };

  /** Ends the connection once; reports what it lost unless it ended in good order. */
  function end(orderly: boolean): void {
    if (!alive) return;
    alive = false;
    if (orderly && inStream.length === 0) return;
    let abandonedEntries = 0;
    let abandonedBytes = 0;
    for (const b of inStream) {
      if (b.awaited) continue; // the sender retries or fails it: counted there
      abandonedEntries += b.entries;
      abandonedBytes += b.bytes;
    }
    const risk = window.atRisk();
    if (abandonedEntries + risk.entries === 0) return;
    onLoss({ abandonedEntries, abandonedBytes, possiblyLostEntries: risk.entries, possiblyLostBytes: risk.bytes });
  }

  socket.on('error', () => end(false));
  socket.on('close', () => end(false));
  // The peer half-closed (listener stopping): anything written now would be lost.
  socket.on('end', () => { end(false); socket.destroy(); });
  socket.resume();
  const encoder = createLineEncoder();
  return {
    get alive() { return alive && !socket.destroyed; },
    get backlog() { return socket.destroyed ? 0 : socket.writableLength; },
    destroy() {
      end(!socket.errored && socket.writableLength === 0);
      socket.destroy();
    },
    send(messages, timeoutMs) {
      if (messages.length === 0) return undefined;
      if (!alive || socket.destroyed) throw new Error('the connection is closed');
      // The encoder's buffer is reused by the next batch, so never while bytes wait in the stream.
      if (socket.writableLength > 0) throw new Error('the connection still holds bytes the peer has not taken');
      const data = encoder.encode(messages);
      const batch: Batch = { bytes: data.length, entries: messages.length, awaited: true };
      inStream.push(batch);
      let settle: ((err: Error | null | undefined) => void) | undefined;
      socket.write(data, (err) => {
        if (!err) takeThrough(batch);
        settle?.(err);
      });
      // A write libuv completed at once has already left the stream's count (only its callback
      // waits for the next tick), and a failed one has set `errored`: so most batches need no
      // callback, promise or timer — waiting for the callback cost ~8 µs per batch (BENCHMARKS.md).
      // Node never calls a write's callback before write() returns, so `settle` is set in time.
      if (socket.errored) throw socket.errored;
      if (socket.destroyed) throw new Error('the connection closed while writing');
      if (socket.writableLength === 0) {
        takeThrough(batch);
        return undefined;
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          settle = undefined;
          // Left in the stream: a slow peer still gets it, and a dropped connection reports it.
          batch.awaited = false;
          reject(new WriteTimeoutError(`the peer did not take the batch within ${timeoutMs}ms`));
        }, timeoutMs);
        settle = (err) => {
          clearTimeout(timer);
          // A failed batch stays the sender's (it retries or counts a failure), so not abandoned.
          if (err) reject(err);
          else resolve();
        };
      });
    },
  };
}

/** What a UDP device's success means, for operators (sys/audit). */
export const UDP_DELIVERY_NOTE = 'sent, not confirmed: a datagram can be dropped (receiver down, paused or overloaded) without any error reaching the sender';

/**
 * How long after the receiver's host reported its port unreachable (ICMP) a UDP batch still
 * fails. The report comes back after the datagram was sent, and only for some datagrams (Linux
 * sends at most one per second to a peer after a burst, `icmp_ratelimit`), so a batch cannot
 * learn its own fate: it fails while the receiver was recently seen to be gone.
 */
export const UDP_REFUSAL_MEMORY_MS = 2500;

function datagramConnection(socket: DgramSocket): Connection {
  let alive = true;
  let closed = false;
  let refusedAt = -Infinity;
  // An unreachable receiver's ICMP error arrives as an 'error' event after the send succeeded.
  // The socket stays usable; any other error ends it (and it must still be closed then, or every
  // reconnect leaks a descriptor).
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') refusedAt = performance.now();
    else alive = false;
  });
  socket.on('close', () => { alive = false; closed = true; });
  const sendOne = (message: string) =>
    new Promise<void>((resolve, reject) => socket.send(message, (err) => (err ? reject(err) : resolve())));
  return {
    get alive() { return alive; },
    backlog: 0,
    destroy() {
      alive = false;
      if (closed) return;
      closed = true;
      try { socket.close(); } catch { /* already closed */ }
    },
    async send(messages) {
      // The socket queues datagrams in call order, so they can all be handed over at once.
      await Promise.all(messages.map(sendOne)).catch((err: NodeJS.ErrnoException) => {
        // The refusal can also surface on a later send (the socket's pending error): same meaning.
        if (err.code !== 'ECONNREFUSED') throw err;
        refusedAt = performance.now();
      });
      if (performance.now() - refusedAt < UDP_REFUSAL_MEMORY_MS) {
        throw new ReceiverUnreachableError(`the receiver refused datagrams within the last ${UDP_REFUSAL_MEMORY_MS}ms (ECONNREFUSED): datagrams are being lost`);
      }
    },
  };
}

/** Connects within `timeoutMs`, or rejects and leaves nothing open. */
export function connect(endpoint: Endpoint, timeoutMs: number, onLoss: LossListener = () => undefined): Promise<Connection> {
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
      try {
        socket.connect(endpoint.port, endpoint.host, () => finish(undefined, datagramConnection(socket)));
      } catch (err) {
        finish(err as Error); // EMFILE and the like can be thrown, not emitted
      }
      return;
    }
    const socket = endpoint.transport === 'unix'
      ? createConnection({ path: endpoint.path })
      : createConnection({ host: endpoint.host, port: endpoint.port, noDelay: true, keepAlive: true });
    cleanup = () => socket.destroy();
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => finish(undefined, streamConnection(socket, endpoint.transport, onLoss)));
  });
}
