/**
 * The `file` audit device: appends lines to a file (or stdout, or nowhere with `discard`).
 *
 * Lines are coalesced: those queued while a write is in flight go out in the next single write,
 * in order; each line's promise settles when its batch is written (and, with `fsync=true`, when
 * an fsync covering it completed — group commit, so concurrent requests share one fsync).
 * `reopen()` (SIGHUP, external logrotate) and built-in rotation (`rotate_max_bytes`,
 * `rotate_interval`, `rotate_max_files`) happen between batches, so no line is lost or written
 * twice. A failed write rejects its batch; the next batch reopens the path.
 *
 * @example
 *   const sink = await createFileSink({ path: 'file/', options: { file_path: '/var/log/sealtrail/audit.log' }, clock, log });
 *   await sink.write('{"type":"request",...}\n');
 */
import { invalid } from '../../../errors/index.js';
import { DEFAULT_BLOCK_TIMEOUT_MS } from '../../broker.js';
import { createLineQueue } from '../line-queue.js';
import { resourceShortage, shortageError } from '../resource-shortage.js';
import type { AuditSink, SinkContext } from '../types.js';
import { createFileAppender, type FileSinkStats } from './appender.js';
import { discardSink, stdoutSink } from './console.js';
import { parseFileOptions } from './options.js';

export type { FileSinkStats } from './appender.js';

export interface FileSink extends AuditSink {
  /** Live counters (writes, fsyncs, rotations, ...). */
  readonly stats: Readonly<FileSinkStats>;
}

/** How often an idle sink checks whether `rotate_interval` elapsed (writes check every batch). */
const MAX_ROTATION_CHECK_MS = 60_000;

const closedError = () => new Error('file audit device is closed');

export async function createFileSink(ctx: SinkContext): Promise<FileSink> {
  const target = parseFileOptions(ctx.options);
  if (target.kind !== 'path') {
    const special = target.kind === 'stdout' ? stdoutSink() : discardSink();
    return { delivery: 'confirmed', stats: special.stats, write: special.write, reopen: async () => undefined, close: async () => undefined };
  }

  const appender = createFileAppender(target.path, target.settings, ctx.clock, ctx.log);
  try {
    await appender.open();
  } catch (err) {
    const shortage = resourceShortage(err);
    if (shortage) throw shortageError(`file audit device: cannot open "${target.path}"`, shortage);
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw invalid(`file audit device: cannot open "${target.path}" for appending (${code}${code === 'ENXIO' ? ': a FIFO with no reader' : ''})`, 'audit_file_unwritable');
  }

  const queue = createLineQueue((lines) => appender.append(lines));
  let closed = false;

  const intervalMs = target.settings.rotation?.intervalMs;
  let timer: NodeJS.Timeout | undefined;
  if (intervalMs !== undefined) {
    // Rotates an idle file on time; unref'd so it never keeps the process alive.
    timer = setInterval(() => {
      if (queue.busy || closed) return;
      queue.exclusive(() => appender.rotateIfDue()).catch((err: Error) =>
        ctx.log.warn({ device: ctx.path, err: err.message }, 'audit file device could not rotate'));
    }, Math.min(intervalMs, MAX_ROTATION_CHECK_MS));
    timer.unref();
  }

  return {
    delivery: 'confirmed',
    stats: appender.stats,
    write: (line) => (closed ? Promise.reject(closedError()) : queue.push(line)),
    reopen: () => (closed ? Promise.reject(closedError()) : queue.exclusive(() => appender.reopen())),
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      // A reader that never drains its pipe again must not keep a write (and the process) waiting.
      const giveUp = setTimeout(() => appender.abandon(), ctx.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS);
      try {
        await queue.exclusive(() => appender.close());
      } finally {
        clearTimeout(giveUp);
      }
    },
  };
}
