/**
 * The `socket` audit device: lines over TCP, UDP or a unix stream socket (Vault's socket device).
 * TCP/unix get the lines as they are (each newline-terminated), coalesced into one write per
 * batch; UDP gets one datagram per line. Connects lazily, reconnects and retries once on an error
 * or after `write_timeout` (default 2s), and recovers on its own when the listener comes back.
 *
 * @example
 *   await createSocketSink({ path: 'socket/', options: { address: '127.0.0.1:9090', socket_type: 'tcp' }, clock, log });
 */
import { createLineQueue } from '../line-queue.js';
import { createReconnectingSender } from '../net/sender.js';
import { parseHostPort, type Endpoint } from '../net/endpoint.js';
import { optionReader } from '../options.js';
import type { AuditSink, DeviceOptions, SinkContext } from '../types.js';

/** Bounds one write so a batch cannot outgrow what write_timeout can carry. */
const MAX_LINES_PER_WRITE = 1024;

export function parseSocketEndpoint(options: DeviceOptions): { endpoint: Endpoint; timeoutMs: number } {
  const opt = optionReader('socket', options);
  const address = opt.required('address');
  const socketType = opt.string('socket_type', 'tcp').toLowerCase();
  const timeoutMs = opt.durationMs('write_timeout', '2s');
  if (socketType === 'unix') return { endpoint: { transport: 'unix', path: address }, timeoutMs };
  if (socketType !== 'tcp' && socketType !== 'udp') throw opt.fail('socket_type', 'must be "tcp", "udp" or "unix"');
  const hostPort = parseHostPort(address);
  if (!hostPort) throw opt.fail('address', `must be "host:port" for socket_type ${socketType}`);
  return { endpoint: { transport: socketType, ...hostPort }, timeoutMs };
}

export async function createSocketSink(ctx: SinkContext): Promise<AuditSink> {
  const { endpoint, timeoutMs } = parseSocketEndpoint(ctx.options);
  const sender = createReconnectingSender({ device: 'socket', path: ctx.path, endpoint, timeoutMs, log: ctx.log });
  const queue = createLineQueue((lines) => sender.send(lines), { maxLines: MAX_LINES_PER_WRITE });
  let closed = false;
  const closedError = () => new Error('socket audit device is closed');

  return {
    // A datagram or bytes taken by the kernel can still be lost; only the peer could confirm.
    delivery: 'sent',
    write: (line) => (closed ? Promise.reject(closedError()) : queue.push(line)),
    reopen: () => queue.exclusive(async () => sender.reset()),
    async close() {
      if (closed) return;
      closed = true;
      await queue.exclusive(async () => sender.close());
    },
  };
}
