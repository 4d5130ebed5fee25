/**
 * One batch to the SIEM: a POST of newline-delimited lines, retried on network errors, timeouts,
 * 408, 429 and 5xx with a short exponential backoff. Other statuses (401, 404, ...) will not fix
 * themselves and fail at once. Errors name the endpoint's origin and the status, never a header
 * value or the body.
 */
import type { HttpSettings } from './options.js';

export const CONTENT_TYPE = 'application/x-ndjson';
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 1000;

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class HttpStatusError extends Error {
  constructor(origin: string, readonly status: number) {
    super(`http audit device: ${origin} answered ${status}`);
  }
}

async function postOnce(settings: HttpSettings, body: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers: [...settings.headers, ['content-type', CONTENT_TYPE]],
      body,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    // Read the answer so the keep-alive connection can be reused.
    await response.arrayBuffer();
  } catch (err) {
    const name = (err as Error).name;
    const reason = name === 'TimeoutError' ? `timed out after ${settings.timeoutMs}ms`
      : ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? (err as Error).message);
    throw new Error(`http audit device: POST to ${settings.url.origin} failed: ${reason}`);
  }
  if (response.status < 200 || response.status > 299) throw new HttpStatusError(settings.url.origin, response.status);
}

/** Resolves once the endpoint accepted the batch with a 2xx; rejects when retries are exhausted. */
export async function postBatch(settings: HttpSettings, lines: readonly string[]): Promise<void> {
  const body = lines.join('');
  for (let attempt = 0; ; attempt++) {
    try {
      await postOnce(settings, body);
      return;
    } catch (err) {
      const final = attempt >= settings.retries || (err instanceof HttpStatusError && !retryableStatus(err.status));
      if (final) throw err;
      await sleep(Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS));
    }
  }
}
