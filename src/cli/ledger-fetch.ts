/**
 * Where `sealtrail ledger` reads a log from: a directory in the tlog-tiles layout (the server's
 * `<data dir>/ledger`, or a copy of it), or a URL prefix — a server address (its
 * /v1/sys/ledger) or any static mirror of the same paths. Every read is bounded by what the
 * resource can legitimately be, so a hostile mirror cannot make the verifier hold gigabytes.
 * A partial tile or bundle the log has since filled may be gone (the server removes partials once
 * the full file is written); it is then read as the full file's prefix, the same bytes, as
 * tlog-tiles clients do. Whatever is read, the verifier recomputes it from the entries.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readOpenFileSync } from '../lib/regular-file.js';
import { bundleRanges, CHECKPOINT_PATH, HASH_SIZE, maxBytesOf, type LogFetcher } from '../ledger/index.js';
import type { FetchLike } from '../sdk/index.js';
import { tlsAdvice, usageError } from './failure.js';
import { printable } from './printable.js';

/** Per-request timeout of a ledger read (the SDK's default for its own requests). */
export const LEDGER_FETCH_TIMEOUT_MS = 60_000;
/** The server's path of the log, under a server address. */
export const SERVER_LEDGER_PREFIX = '/v1/sys/ledger';

/** The resource is not there (HTTP 404, no such file): a checkpoint not yet written, say. */
export class LogResourceMissing extends Error {}

/** The first `width` hashes or entries of a full tile or bundle; undefined when it has fewer. */
function prefixOf(path: string, full: Buffer, width: number): Buffer | undefined {
  if (path.startsWith('tile/entries/')) {
    const { ends } = bundleRanges(full);
    return ends.length >= width ? full.subarray(0, ends[width - 1]) : undefined;
  }
  return full.length >= width * HASH_SIZE ? full.subarray(0, width * HASH_SIZE) : undefined;
}

/** Reads a missing partial path (`....p/W`) as the first W hashes or entries of its full file. */
export function withFullFallback(fetch: LogFetcher): LogFetcher {
  return async (path) => {
    try {
      return await fetch(path);
    } catch (err) {
      const partial = /^(.*)\.p\/(\d+)$/.exec(path);
      if (!(err instanceof LogResourceMissing) || !partial) throw err;
      const full = await fetch(partial[1]).catch(() => undefined);
      const prefix = full && prefixOf(path, Buffer.from(full), Number(partial[2]));
      if (!prefix) throw err;
      return prefix;
    }
  };
}

/**
 * One file of a log kept under `dir`, read synchronously: a verifier reads thousands of files one
 * after the other, and each trip through the thread pool (open, stat, read, close) cost more than
 * the read itself. An error names the problem; the caller names the path.
 */
export function readLogFile(dir: string, path: string): Buffer {
  const max = maxBytesOf(path);
  let fd: number;
  try {
    // Non-blocking: a FIFO put in a file's place would hold open() until a writer came (the
    // fstat below then refuses it, as any file that is not a regular one).
    fd = openSync(join(dir, ...path.split('/')), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LogResourceMissing('not found');
    throw new Error(`cannot be read (${code ?? 'error'})`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new LogResourceMissing('not found');
    if (info.size > max) throw new Error(`${info.size} bytes, over the ${max} such a file can have`);
    return readOpenFileSync(fd, info.size);
  } finally {
    closeSync(fd);
  }
}

/**
 * A log kept as files under `dir` (a static copy, or the server's data directory). A partial
 * path that is gone is read from its full file, or from the narrowest wider partial of the same
 * tile: a running server removes a partial once its log has outgrown it (and a newer checkpoint
 * was signed), possibly after this verifier read the older checkpoint; the first W hashes or
 * entries of a tile never change, so both hold the same bytes.
 */
export function directoryFetcher(dir: string): LogFetcher {
  return withFullFallback(async (path) => {
    try {
      return readLogFile(dir, path);
    } catch (err) {
      const partial = /^(.*)\.p\/(\d+)$/.exec(path);
      if (!(err instanceof LogResourceMissing) || !partial) throw err;
      const width = Number(partial[2]);
      let names: string[] = [];
      try {
        names = readdirSync(join(dir, ...`${partial[1]}.p`.split('/')));
      } catch { /* no partials of this tile: the full file is tried next */ }
      const wider = names.filter((n) => /^[1-9]\d{0,2}$/.test(n) && Number(n) > width).sort((a, b) => Number(a) - Number(b))[0];
      let data: Buffer | undefined;
      try {
        data = wider === undefined ? undefined : readLogFile(dir, `${partial[1]}.p/${wider}`);
      } catch { /* gone too: the full file is tried next */ }
      const prefix = data && prefixOf(path, data, width);
      if (!prefix) throw err;
      return prefix;
    }
  });
}

export interface UrlSource {
  /** The log's prefix, without a trailing slash. */
  prefix: string;
  /** Whether the URL names a Sealtrail server (its journal API is then there too). */
  server: boolean;
  /** The server's address (scheme, host, port, and a path before /v1 behind a proxy) when `server`. */
  address?: string;
}

/** A server address answered a 404 that is not JSON: a web server, or a copy of the log served at its root. */
const NOT_A_SERVER = ' (the answer is not JSON: is this a Sealtrail server? An address without a path is read as a server\'s '
  + `${SERVER_LEDGER_PREFIX}: give a copy of the log by its URL with a path, or read it with --dir)`;

/**
 * `--url`: a bare server address (no path), or a URL ending in /v1/sys/ledger, is a server;
 * anything else is a mirror's prefix as given. Only http and https, and no credentials in the URL.
 */
export function parseLedgerUrl(value: string): UrlSource {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch { /* refused below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw usageError('--url must be an http:// or https:// URL without a user name, password, query or fragment');
  }
  const address = `${url.protocol}//${url.host}`;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return { prefix: address + SERVER_LEDGER_PREFIX, server: true, address };
  if (path.endsWith(SERVER_LEDGER_PREFIX)) return { prefix: address + path, server: true, address: address + path.slice(0, -SERVER_LEDGER_PREFIX.length) };
  return { prefix: address + path, server: false };
}

/** Whether two server addresses are the same server (the token's destination is checked with it). */
export function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return undefined;
    }
  };
  const na = norm(a);
  return na !== undefined && na === norm(b);
}

/** Reads a body, refusing it past `max` bytes without reading the rest. */
export async function cappedBody(response: Response, max: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) throw new Error(`${declared} bytes, over the ${max} such a resource can have`);
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new Error(`over the ${max} bytes such a resource can have`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * Reads in flight at once against a Sealtrail server: its limit of journal and ledger reads per
 * token (per client address without one), JOURNAL_READS_PER_TOKEN in sys/journal-read-slots.ts.
 */
export const SERVER_READS_IN_FLIGHT = 4;
/** How many times a read the server refused as busy (503 with Retry-After) is sent again. */
export const BUSY_RETRIES = 10;
/** The longest Retry-After a busy read waits for. */
const MAX_BUSY_WAIT_MS = 5_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Retry-After of whole seconds, in ms (at most MAX_BUSY_WAIT_MS); undefined without one. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Math.min(Number(value) * 1000, MAX_BUSY_WAIT_MS);
}

/**
 * The fetch of the reads a ledger command makes from a Sealtrail server: the verifier reads
 * bundles and tiles ahead, and the journal's records beside them, but at most
 * SERVER_READS_IN_FLIGHT are sent at once; a read the server still refuses as busy (a slot held
 * until an earlier answer is sent in full, or taken by another client of the same token) is sent
 * again after the wait its Retry-After asks for, up to BUSY_RETRIES times.
 */
export function serverReadFetch(fetchImpl: FetchLike, wait: (ms: number) => Promise<void> = pause): FetchLike {
  let active = 0;
  const waiting: Array<() => void> = [];
  const take = async () => {
    while (active >= SERVER_READS_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async (input, init) => {
    for (let retries = 0; ; retries++) {
      await take();
      let response: Response;
      try {
        response = await fetchImpl(input, init);
      } finally {
        release();
      }
      const busyFor = response.status === 503 ? retryAfterMs(response) : undefined;
      if (busyFor === undefined || retries >= BUSY_RETRIES) return response;
      await response.body?.cancel();
      await wait(busyFor);
    }
  };
}

/**
 * A log served over HTTP. The token goes only to a server address, never to a mirror, and a
 * request carrying it follows no redirect (a redirect elsewhere would carry the header along).
 */
export function urlFetcher(source: UrlSource, token: string | undefined, fetchImpl: FetchLike): LogFetcher {
  const headers: Record<string, string> = {};
  const sendToken = source.server && token !== undefined;
  if (sendToken) headers['X-Vault-Token'] = token;
  return withFullFallback(async (path) => {
    const max = maxBytesOf(path);
    let response: Response;
    try {
      response = await fetchImpl(`${source.prefix}/${path}`, {
        method: 'GET', headers, redirect: sendToken ? 'error' : 'follow', signal: AbortSignal.timeout(LEDGER_FETCH_TIMEOUT_MS),
      });
    } catch (err) {
      throw new Error(fetchFailure(err));
    }
    if (response.status === 404) {
      const said = await errorsLine(response);
      // A 404 that is not a JSON answer is no Sealtrail server's (a web server, a proxy's page).
      const guess = said === undefined ? (source.server ? NOT_A_SERVER : '') : path === CHECKPOINT_PATH ? ' (no checkpoint yet?)' : '';
      throw new LogResourceMissing(`not found${said !== undefined && said !== '' ? said : guess}`);
    }
    if (response.status !== 200) throw new Error(`HTTP ${response.status}${(await errorsLine(response)) ?? ' (the answer is not JSON)'}`);
    return cappedBody(response, max);
  });
}

/** A Vault `{"errors":[...]}` body's first error, in a line (a short excerpt at most). */
/** `: <the first error>` of a JSON error answer, '' for one without errors, undefined for an answer that is not JSON. */
async function errorsLine(response: Response): Promise<string | undefined> {
  try {
    const body = JSON.parse((await cappedBody(response, 4096)).toString('utf8')) as { errors?: unknown } | null;
    return Array.isArray(body?.errors) && body.errors.length > 0 ? `: ${printable(String(body.errors[0]).slice(0, 200))}` : '';
  } catch {
    return undefined;
  }
}

function fetchFailure(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${LEDGER_FETCH_TIMEOUT_MS} ms`;
  // Node's fetch says "fetch failed" and keeps the useful part (ECONNREFUSED ...) in `cause`.
  const cause = err instanceof Error ? (err.cause as { message?: string } | undefined) : undefined;
  return (cause?.message ?? (err instanceof Error ? err.message : String(err))) + tlsAdvice(err);
}
