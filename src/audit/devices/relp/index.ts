/**
 * The `relp` audit device: each line as an RFC 5424 syslog message over RELP, the acknowledged
 * protocol of rsyslog's `imrelp`. A write resolves only when the receiver answered `rsp 200` for
 * its message, so this network device is fail-closed for real: a receiver that is down, refuses,
 * or does not answer within `write_timeout` fails the write.
 *
 * Lines go through the ordered line queue in batches of at most `window_size` messages, one batch
 * at a time: a batch is the window of unacknowledged messages, and its lines share one outcome
 * (every message acknowledged, or the batch failed). What is re-sent after a lost connection is
 * in client.ts. A message over `max_entry_bytes` is sent reduced, and fails on this device alone
 * when still over it (net/entry-limit.ts): imrelp would otherwise truncate it and still
 * acknowledge it.
 *
 * @example
 *   await createRelpSink({ path: 'relp/', options: { address: '127.0.0.1:2514' }, clock, log });
 */
import { hostname } from 'node:os';
import { createLineQueue } from '../line-queue.js';
import { fittedMessage } from '../net/entry-limit.js';
import { formatMessage, headerTail } from '../syslog/rfc5424.js';
import type { AuditSink, SinkContext } from '../types.js';
import { createRelpClient } from './client.js';
import { parseRelpOptions } from './options.js';

export { parseRelpOptions, type RelpSettings } from './options.js';

export async function createRelpSink(ctx: SinkContext): Promise<AuditSink> {
  const settings = parseRelpOptions(ctx.options);
  const tail = headerTail({ hostname: hostname(), appName: settings.tag, procId: String(process.pid) });
  const client = createRelpClient({ path: ctx.path, target: settings.target, timeoutMs: settings.timeoutMs, log: ctx.log });
  const queue = createLineQueue((messages) => client.deliver(messages.map((m) => Buffer.from(m, 'utf8'))), { maxLines: settings.windowSize });
  let closed = false;

  return {
    delivery: 'confirmed',
    write(line, reduced) {
      if (closed) return Promise.reject(new Error('relp audit device is closed'));
      // Stamped when the line is handed over, so the timestamp follows the entry's order.
      const nowNs = ctx.clock.nowNs();
      const message = fittedMessage('relp', line, settings.maxEntryBytes, (l) => formatMessage(settings.facility, tail, nowNs, l), reduced);
      return typeof message === 'string' ? queue.push(message) : Promise.reject(message);
    },
    reopen: () => queue.exclusive(() => client.reset()),
    async close() {
      if (closed) return;
      closed = true;
      await queue.exclusive(() => client.close());
    },
  };
}


