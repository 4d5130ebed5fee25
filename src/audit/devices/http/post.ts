/**
 * One batch to the SIEM: a POST of newline-delimited lines, retried on network errors, timeouts,
 * 408, 429 and 5xx with a short exponential backoff. Other statuses (401, 404, a 3xx redirect,
 * which is not followed) will not fix themselves and fail at once. Errors name the endpoint's origin and the status, never a header
 * value or the body.
 *
 * Every attempt, and the wait before it, ends by the batch's deadline (when the broker stops
 * waiting for it): past that point nobody waits for the answer, and a late 2xx would confirm lines
 * already counted as not recorded. Every attempt of a batch carries the same random batch id
 * header, and each batch a new one, so a receiver can drop a batch it already stored when an
 * answer was lost and the batch came again.
 */
import { randomUUID } from 'node:crypto';
import type { HttpSettings } from './options.js';

export const CONTENT_TYPE = 'application/x-ndjson';
export const BATCH_ID_HEADER = 'x-sealtrail-batch-id';
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 1000;

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class HttpStatusError extends Error {
  constructor(origin: string, readonly status: number) {
    super(`http audit device: ${origin} answered ${status}`);
  }
}

async function postOnce(settings: HttpSettings, body: string, batchId: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers: [...settings.headers, ['content-type', CONTENT_TYPE], [BATCH_ID_HEADER, batchId]],
      body,
      // Only the configured endpoint's 2xx confirms a batch: a redirect is a failure, never a
      // reason to send the audit lines (and the headers' credentials) somewhere else.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the answer so the keep-alive connection can be reused.
    await response.arrayBuffer();
  } catch (err) {
    const name = (err as Error).name;
    const reason = name === 'TimeoutError' ? `timed out after ${timeoutMs}ms`
      : ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? (err as Error).message);
    throw new Error(`http audit device: POST to ${settings.url.origin} failed: ${reason}`);
  }
  if (response.status < 200 || response.status > 299) throw new HttpStatusError(settings.url.origin, response.status);
}

/**
 * Resolves once the endpoint accepted the batch with a 2xx; rejects when retries are exhausted,
 * the status cannot succeed, or `deadline` (a performance.now() time) passed.
 */
export async function postBatch(settings: HttpSettings, lines: readonly string[], deadline: number): Promise<void> {
  const body = lines.join('');
  const batchId = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) {
      throw new Error(`http audit device: batch not sent to ${settings.url.origin}: the audit block timeout passed while earlier batches were in flight`);
    }
    try {
      await postOnce(settings, body, batchId, Math.min(settings.timeoutMs, left));
      return;
    } catch (err) {
      const backoff = Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS);
      const final = attempt >= settings.retries || (err instanceof HttpStatusError && !retryableStatus(err.status)) ||
        performance.now() + backoff >= deadline;
      if (final) throw err;
      await sleep(backoff);
    }
  }
}
