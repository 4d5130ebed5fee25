/**
 * The `http` audit device: POSTs batches of lines to a SIEM endpoint (`application/x-ndjson`, or
 * `application/xml` for the jsonx format).
 *
 * Batching keeps latency low, because every audited request waits for its line: a line that
 * arrives while no POST is in flight is sent at once; lines that arrive while a POST is in flight
 * form the next batch (up to `batch_max_lines`, default 100), sent as soon as that POST finishes.
 * Batches go one at a time, so the endpoint receives lines in order. `batch_max_wait` (default
 * "0s") optionally lets a batch that is not full wait that long for more lines, trading request
 * latency for fewer POSTs. Each line's promise resolves when its batch got a 2xx and rejects
 * otherwise: after `retries` (default 2), or once the server's audit_block_timeout passed since the
 * batch's first line was queued — the broker stops waiting then, so retrying further would only
 * hold up the batches behind it. Each attempt is bounded by `timeout` (default "5s") and by that
 * deadline, and carries the batch's `X-Sealtrail-Batch-Id` (post.ts).
 *
 * @example
 *   await createHttpSink({ path: 'siem/', options: { uri: 'https://siem.example/ingest',
 *     headers: '{"Authorization":["Bearer <token>"]}' }, clock, log });
 */
import { DEFAULT_BLOCK_TIMEOUT_MS } from '../../broker.js';
import { createLineQueue } from '../line-queue.js';
import type { AuditSink, SinkContext } from '../types.js';
import { parseHttpOptions } from './options.js';
import { postBatch } from './post.js';

export async function createHttpSink(ctx: SinkContext): Promise<AuditSink> {
  const settings = parseHttpOptions(ctx.options);
  const blockTimeoutMs = ctx.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  let failing = false;
  const queue = createLineQueue(async (lines, batch) => {
    try {
      await postBatch(settings, lines, batch.queuedAt + blockTimeoutMs);
    } catch (err) {
      if (!failing) {
        failing = true;
        ctx.log.warn({ device: ctx.path, endpoint: settings.url.origin, reason: (err as Error).message }, 'http audit device cannot deliver');
      }
      throw err;
    }
    if (failing) {
      failing = false;
      ctx.log.info({ device: ctx.path, endpoint: settings.url.origin }, 'http audit device delivers again');
    }
  }, { maxLines: settings.batchMaxLines, lingerMs: settings.batchMaxWaitMs });
  let closed = false;

  return {
    delivery: 'confirmed',
    write: (line) => (closed ? Promise.reject(new Error('http audit device is closed')) : queue.push(line)),
    // Nothing to reopen: each POST uses fetch's connection pool.
    reopen: async () => undefined,
    async close() {
      if (closed) return;
      closed = true;
      await queue.exclusive(async () => undefined);
    },
  };
}
