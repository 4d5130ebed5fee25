/**
 * The `syslog` audit device: RFC 5424 messages to a syslog daemon.
 *
 * Options: `facility` (default AUTH), `tag` (APP-NAME, default "sealtrail"), `address`:
 * - `udp://host:port` (default `udp://127.0.0.1:514`): one datagram per message (RFC 5426).
 *   Receivers may truncate datagrams over 2048 bytes; prefer TCP for large entries.
 * - `tcp://host:port`: RFC 6587 octet counting (`LEN SP MSG`).
 * - `unix:///path`: a unix *stream* socket with octet counting. Node cannot open unix datagram
 *   sockets (dgram supports only udp4/udp6), so the usual `/dev/log` datagram socket cannot be
 *   used; point this at a daemon's unix stream listener (e.g. syslog-ng `unix-stream()`) or use
 *   UDP/TCP on localhost.
 * Reconnects, retries and times out like the socket device (`write_timeout`, default 2s). A
 * message over `max_entry_bytes` (default 8096, rsyslog's default message size) is sent reduced,
 * or failed when still over it (net/entry-limit.ts): the receiver would truncate it, and over TCP
 * a frame past its limit breaks every later message.
 */
import { hostname } from 'node:os';
import { createLineQueue } from '../line-queue.js';
import { parseHostPort, type Endpoint } from '../net/endpoint.js';
import { createReconnectingSender } from '../net/sender.js';
import { fittedMessage, parseMaxEntryBytes } from '../net/entry-limit.js';
import { UDP_DELIVERY_NOTE } from '../net/connection.js';
import { optionReader } from '../options.js';
import type { AuditSink, DeviceOptions, SinkContext } from '../types.js';
import { facilityCode, formatMessage, headerTail, octetCounted } from './rfc5424.js';

export const DEFAULT_SYSLOG_ADDRESS = 'udp://127.0.0.1:514';
const MAX_MESSAGES_PER_WRITE = 1024;
/** rsyslog's default maxMessageSize, documented as 8k and built in as 8096 bytes; its imtcp frame limit is 200000. */
export const SYSLOG_MAX_ENTRY_BYTES = 8096;

export interface SyslogSettings {
  endpoint: Endpoint;
  facility: number;
  tag: string;
  timeoutMs: number;
  /** The largest RFC 5424 message (header included, octet count not) that is sent. */
  maxEntryBytes: number;
}

export function parseSyslogOptions(options: DeviceOptions): SyslogSettings {
  const opt = optionReader('syslog', options);
  const facility = facilityCode(opt.string('facility', 'AUTH'));
  if (facility === undefined) throw opt.fail('facility', 'must be a syslog facility such as AUTH, DAEMON or LOCAL0..LOCAL7');
  const tag = opt.string('tag', 'sealtrail');
  if (!/^[\x21-\x7e]{1,48}$/.test(tag)) throw opt.fail('tag', 'must be 1 to 48 printable ASCII characters without spaces');
  const address = opt.string('address', DEFAULT_SYSLOG_ADDRESS);
  const m = /^(udp|tcp|unix):\/\/(.+)$/.exec(address);
  let endpoint: Endpoint | undefined;
  if (m?.[1] === 'unix' && m[2].startsWith('/')) endpoint = { transport: 'unix', path: m[2] };
  else if (m && m[1] !== 'unix') {
    const hostPort = parseHostPort(m[2]);
    if (hostPort) endpoint = { transport: m[1] as 'udp' | 'tcp', ...hostPort };
  }
  if (!endpoint) throw opt.fail('address', 'must be udp://host:port, tcp://host:port or unix:///path');
  const maxEntryBytes = parseMaxEntryBytes(opt, SYSLOG_MAX_ENTRY_BYTES, endpoint.transport === 'udp');
  return { endpoint, facility, tag, timeoutMs: opt.durationMs('write_timeout', '2s'), maxEntryBytes };
}

export async function createSyslogSink(ctx: SinkContext): Promise<AuditSink> {
  const settings = parseSyslogOptions(ctx.options);
  const tail = headerTail({ hostname: hostname(), appName: settings.tag, procId: String(process.pid) });
  const stream = settings.endpoint.transport !== 'udp';
  const sender = createReconnectingSender({
    device: 'syslog', path: ctx.path, endpoint: settings.endpoint, timeoutMs: settings.timeoutMs, log: ctx.log,
  });
  const queue = createLineQueue((messages) => sender.send(messages), { maxLines: MAX_MESSAGES_PER_WRITE });
  let closed = false;

  return {
    delivery: 'sent',
    ...(stream ? {} : { deliveryNote: UDP_DELIVERY_NOTE }),
    write(line, reduced) {
      if (closed) return Promise.reject(new Error('syslog audit device is closed'));
      // Stamped when the line is handed over, so the timestamp follows the entry's order.
      const nowNs = ctx.clock.nowNs();
      const message = fittedMessage('syslog', line, settings.maxEntryBytes, (l) => formatMessage(settings.facility, tail, nowNs, l), reduced);
      if (typeof message !== 'string') return Promise.reject(message);
      return queue.push(stream ? octetCounted(message) : message);
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
