/**
 * The `socket` audit device: lines over TCP, UDP or a unix stream socket (Vault's socket device).
 * TCP/unix get the lines as they are (each newline-terminated), coalesced into one write per
 * batch; UDP gets one datagram per line. Connects lazily, reconnects and retries once on a
 * connection error, fails a batch the peer does not take within `write_timeout` (default 2s), and
 * recovers on its own when the listener comes back (net/sender.ts). An entry over
 * `max_entry_bytes` is sent reduced, or failed when still over it (net/entry-limit.ts).
 *
 * What a success means: the kernel took the bytes (`sent`), not that the peer read them; UDP not
 * even that the datagram will arrive.
 *
 * @example
 *   await createSocketSink({ path: 'socket/', options: { address: '127.0.0.1:9090', socket_type: 'tcp' }, clock, log });
 */
import { createLineQueue } from '../line-queue.js';
import { UDP_DELIVERY_NOTE } from '../net/connection.js';
import { createReconnectingSender } from '../net/sender.js';
import { parseHostPort, type Endpoint } from '../net/endpoint.js';
import { fittedMessage, MAX_DATAGRAM_BYTES, parseMaxEntryBytes } from '../net/entry-limit.js';
import { optionReader } from '../options.js';
import type { AuditSink, DeviceOptions, SinkContext } from '../types.js';

/** Bounds one write so a batch cannot outgrow what write_timeout can carry. */
const MAX_LINES_PER_WRITE = 1024;

/** Default line limit for TCP/unix (100 KiB); receivers with a lower one need it set (docs/audit-devices.md). */
export const SOCKET_STREAM_MAX_ENTRY_BYTES = 102_400;

export interface SocketSettings {
  endpoint: Endpoint;
  timeoutMs: number;
  maxEntryBytes: number;
}

export function parseSocketEndpoint(options: DeviceOptions): SocketSettings {
  const opt = optionReader('socket', options);
  const address = opt.required('address');
  const socketType = opt.string('socket_type', 'tcp').toLowerCase();
  const timeoutMs = opt.durationMs('write_timeout', '2s');
  if (socketType !== 'unix' && socketType !== 'tcp' && socketType !== 'udp') throw opt.fail('socket_type', 'must be "tcp", "udp" or "unix"');
  const datagram = socketType === 'udp';
  const maxEntryBytes = parseMaxEntryBytes(opt, datagram ? MAX_DATAGRAM_BYTES : SOCKET_STREAM_MAX_ENTRY_BYTES, datagram);
  if (socketType === 'unix') return { endpoint: { transport: 'unix', path: address }, timeoutMs, maxEntryBytes };
  const hostPort = parseHostPort(address);
  if (!hostPort) throw opt.fail('address', `must be "host:port" for socket_type ${socketType}`);
  return { endpoint: { transport: socketType, ...hostPort }, timeoutMs, maxEntryBytes };
}

export async function createSocketSink(ctx: SinkContext): Promise<AuditSink> {
  const { endpoint, timeoutMs, maxEntryBytes } = parseSocketEndpoint(ctx.options);
  const sender = createReconnectingSender({ device: 'socket', path: ctx.path, endpoint, timeoutMs, log: ctx.log });
  const queue = createLineQueue((lines) => sender.send(lines), { maxLines: MAX_LINES_PER_WRITE });
  let closed = false;
  const closedError = () => new Error('socket audit device is closed');

  return {
    // A datagram or bytes taken by the kernel can still be lost; only the peer could confirm.
    delivery: 'sent',
    ...(endpoint.transport === 'udp' ? { deliveryNote: UDP_DELIVERY_NOTE } : {}),
    write(line, reduced) {
      if (closed) return Promise.reject(closedError());
      const sent = fittedMessage('socket', line, maxEntryBytes, (l) => l, reduced);
      return typeof sent === 'string' ? queue.push(sent) : Promise.reject(sent);
    },
    reopen: () => queue.exclusive(async () => sender.reset()),
    async close() {
      if (closed) return;
      closed = true;
      await queue.exclusive(async () => sender.close());
    },
    losses: () => sender.losses(),
  };
}
