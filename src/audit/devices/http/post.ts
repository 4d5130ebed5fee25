/**
 * One batch to the SIEM: a POST of newline-delimited lines (labelled by the device's format), retried on network errors, timeouts,
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
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { VERSION } from '../../../lib/version.js';
import type { HttpSettings } from './options.js';

/** One line per entry: JSON lines, or JSONx documents (XML, one per line; format-jsonx.ts). */
export const CONTENT_TYPE = 'application/x-ndjson';
export const JSONX_CONTENT_TYPE = 'application/xml';
export const BATCH_ID_HEADER = 'x-sealtrail-batch-id';
/** Who is posting, as OpenBao's device sends `OpenBaoAuditor/<version>`; a configured User-Agent replaces it. */
export const USER_AGENT = `SealtrailAuditor/${VERSION}`;
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 1000;
/** How much of an answer's body is read (and dropped) before its connection is closed instead. */
export const DISCARD_MAX_BYTES = 64 * 1024;
export const DISCARD_MAX_MS = 1000;

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class HttpStatusError extends Error {
  constructor(origin: string, readonly status: number) {
    super(`http audit device: ${origin} answered ${status}`);
  }
}

class TimeoutError extends Error {}

/**
 * The request's headers: each configured header once per value, as OpenBao's device sends them
 * (node:http writes an array value as repeated lines; fetch would join them into one).
 */
export function requestHeaders(settings: HttpSettings, batchId: string, body: Buffer): OutgoingHttpHeaders {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of settings.headers) (headers[name.toLowerCase()] ??= []).push(value);
  return {
    'user-agent': USER_AGENT,
    ...headers,
    'content-type': settings.format === 'jsonx' ? JSONX_CONTENT_TYPE : CONTENT_TYPE,
    'content-length': body.length,
    [BATCH_ID_HEADER]: batchId,
  };
}

/**
 * Reads and drops an answer's body, so that a keep-alive connection can be reused, up to
 * DISCARD_MAX_BYTES or DISCARD_MAX_MS: past either the connection is closed instead. The status has
 * already decided the batch, and a receiver that streams an endless body must hold no socket.
 */
function discardBody(res: IncomingMessage): void {
  let bytes = 0;
  const stop = () => {
    clearTimeout(timer);
    res.destroy();
  };
  const timer = setTimeout(stop, DISCARD_MAX_MS);
  timer.unref();
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > DISCARD_MAX_BYTES) stop();
  });
  res.once('close', () => clearTimeout(timer));
  res.on('error', () => undefined); // the batch is settled: a broken body changes nothing
}

/**
 * One POST; resolves with the status as soon as the status line arrived, the body being dropped
 * (discardBody). A redirect is not followed (node:http never does): only the configured endpoint's
 * 2xx confirms a batch, and the headers' credentials go nowhere else.
 *
 * Settles exactly once, within `timeoutMs` whatever the endpoint does. The timer settles the
 * attempt itself rather than through the request's 'error': a request Node has already ended
 * without an answer (a `101 Switching Protocols`, which it hands to 'upgrade' listeners or drops)
 * emits none, and an attempt that never settles would hold every later batch behind it.
 */
function postOnce(settings: HttpSettings, body: Buffer, batchId: string, timeoutMs: number): Promise<number> {
  const send = settings.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    let answered = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const req = send(settings.url, { method: 'POST', headers: requestHeaders(settings, batchId, body) }, (res) => {
      answered = true;
      discardBody(res);
      settle(() => resolve(res.statusCode ?? 0));
    });
    const timer = setTimeout(() => {
      settle(() => reject(new TimeoutError()));
      req.destroy();
    }, timeoutMs);
    // `on`, not `once`: a body dropped after the answer can still end the request with an error.
    req.on('error', (err) => settle(() => reject(err)));
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      settle(() => reject(new Error('the endpoint answered 101 Switching Protocols')));
    });
    // Closed with no answer at all: a failed attempt, not one to wait for.
    req.once('close', () => { if (!answered) settle(() => reject(new Error('the connection closed without an answer'))); });
    req.end(body);
  });
}

async function tryPost(settings: HttpSettings, body: Buffer, batchId: string, timeoutMs: number): Promise<void> {
  let status: number;
  try {
    status = await postOnce(settings, body, batchId, timeoutMs);
  } catch (err) {
    const reason = err instanceof TimeoutError ? `timed out after ${timeoutMs}ms`
      : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new Error(`http audit device: POST to ${settings.url.origin} failed: ${reason}`, { cause: err });
  }
  if (status < 200 || status > 299) throw new HttpStatusError(settings.url.origin, status);
}

/**
 * Resolves once the endpoint accepted the batch with a 2xx; rejects when retries are exhausted,
 * the status cannot succeed, or `deadline` (a performance.now() time) passed.
 */
export async function postBatch(settings: HttpSettings, lines: readonly string[], deadline: number): Promise<void> {
  const body = Buffer.from(lines.join(''));
  const batchId = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) {
      throw new Error(`http audit device: batch not sent to ${settings.url.origin}: the audit block timeout passed while earlier batches were in flight`);
    }
    try {
      await tryPost(settings, body, batchId, Math.min(settings.timeoutMs, left));
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
