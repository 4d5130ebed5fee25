/**
 * One HTTP exchange with the server: builds the URL and headers, applies the timeout, parses the
 * JSON reply and turns error statuses into SealtrailApiError. Everything else in the SDK is a thin
 * typed wrapper over `send`.
 */
import { SealtrailApiError, SealtrailNetworkError, SealtrailRequestError } from './errors.js';
import { nestsDeeper } from './json-depth.js';
import { encodeApiPath, encodeQuery, normalizeApiPath } from './path.js';
import type { Query, VaultResponse } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface SendOptions {
  query?: Query;
  /** JSON body; omitted entirely when undefined (no Content-Type either). */
  body?: unknown;
}

export interface RawReply {
  status: number;
  /** Parsed JSON body, or undefined for an empty body (204). */
  body: unknown;
}

export interface Transport {
  readonly address: string;
  /** Sends one request; resolves for every HTTP status, rejects only when there is no HTTP answer. */
  send(method: HttpMethod, path: string, options?: SendOptions): Promise<RawReply>;
  /** Like send, but rejects with SealtrailApiError for status ≥ 400. */
  call(method: HttpMethod, path: string, options?: SendOptions): Promise<unknown>;
}

export interface TransportOptions {
  address: string;
  getToken: () => string | undefined;
  fetch: FetchLike;
  timeoutMs: number;
  /** The largest answer read; default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** The deepest answer parsed; default MAX_RESPONSE_DEPTH. */
  maxResponseDepth?: number;
  /** Sent as X-Vault-Wrap-TTL on every request when set (the server answers with a wrapping token). */
  wrapTtl?: string;
  /** Sees each answer that came back wrapped, before it is returned; what it throws, the request rejects with. */
  onWrapped?: (answer: VaultResponse<null>) => void;
}

/** Vault's `{"errors": [...]}`; anything else yields an empty list. */
export function errorsOf(body: unknown): string[] {
  if (body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)) {
    return (body as { errors: unknown[] }).errors.map((e) => String(e));
  }
  return [];
}

export function createTransport(opts: TransportOptions): Transport {
  const address = opts.address.replace(/\/+$/, '');
  const credentialed = hasCredentials(address);

  async function send(method: HttpMethod, rawPath: string, options: SendOptions = {}): Promise<RawReply> {
    const path = normalizeApiPath(rawPath);
    // fetch refuses such an address with an error that quotes it, password and all.
    if (credentialed) throw new SealtrailRequestError(method, path, 'the address holds a user name or password, which the client never sends: remove it');
    // The URL parser would resolve them, so `secret/data/a/../../sys/x` would go to `sys/x`,
    // where the server, which refuses such segments, never sees them.
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new SealtrailRequestError(method, path, 'the path has a "." or ".." segment, which would name another path');
    }
    const url = `${address}/v1/${encodeApiPath(path)}${encodeQuery(options.query)}`;
    // X-Vault-Request marks an API client (Vault's own client sends it; proxies use it against SSRF).
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    const token = opts.getToken();
    if (token && !fitsHeader(token)) {
      throw new SealtrailRequestError(method, path, 'the token holds a character an HTTP header cannot carry (a line break, a control character or a non-Latin-1 character)');
    }
    if (token) headers['X-Vault-Token'] = token;
    if (opts.wrapTtl !== undefined) headers['X-Vault-Wrap-TTL'] = opts.wrapTtl;
    // Redirects are followed here, not by fetch: fetch would follow 20 of them, to any scheme,
    // with the token, and turn a POST into a GET on 301/302 (a write answered as a read).
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'manual' };
    if (options.body !== undefined) {
      // A PATCH body is a JSON merge patch (RFC 7396), and the server requires it to say so.
      headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      init.body = requestJson(method, path, options.body);
    }

    let response: Response;
    let text: string;
    let at = url;
    try {
      response = await opts.fetch(at, init);
      const next = redirectTarget(response, at);
      if (next !== undefined) {
        await response.body?.cancel().catch(() => undefined);
        at = next;
        response = await opts.fetch(at, init);
        if (redirectTarget(response, at) !== undefined) throw new RedirectRefused('the server redirected more than once (one redirect is followed)');
      }
      text = await boundedText(response, opts.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    } catch (err) {
      if (err instanceof ResponseTooLarge || err instanceof RedirectRefused) throw new SealtrailNetworkError(method, path, err.message);
      throw new SealtrailNetworkError(method, path, describeFetchFailure(err, opts.timeoutMs, at), err);
    }
    if (text.trim() === '') return { status: response.status, body: undefined };
    const maxDepth = opts.maxResponseDepth ?? MAX_RESPONSE_DEPTH;
    if (nestsDeeper(text, maxDepth)) {
      throw new SealtrailNetworkError(method, path, `the answer nests deeper than ${maxDepth} levels, which no Sealtrail server's does: not read`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // A non-JSON error page (a proxy, a crash): keep its first line as the error message; an
      // HTML page is no API's answer at all, which is what the user needs to hear.
      if (response.status >= 400) {
        const first = text.trim().split('\n')[0].slice(0, 200);
        const said = first.startsWith('<') ? `the answer is an HTML page, not a Sealtrail API answer: is ${address} a Sealtrail server?` : first;
        return { status: response.status, body: { errors: [said] } };
      }
      throw new SealtrailNetworkError(method, path, `the server answered ${response.status} with a body that is not JSON`);
    }
    if (opts.onWrapped && response.status < 300 && isWrapped(body)) opts.onWrapped(body);
    return { status: response.status, body };
  }

  async function call(method: HttpMethod, path: string, options?: SendOptions): Promise<unknown> {
    const reply = await send(method, path, options);
    // A redirect not followed (a 303, a second one, one without a Location) did not do the request.
    if (reply.status >= 300 && reply.status < 400) {
      throw new SealtrailApiError({ status: reply.status, errors: [`the server answered ${reply.status}, a redirect that is not followed: nothing was done`], method, path: normalizeApiPath(path) });
    }
    if (reply.status >= 400) {
      throw new SealtrailApiError({ status: reply.status, errors: errorsOf(reply.body), method, path: normalizeApiPath(path) });
    }
    return reply.body;
  }

  return { address, send, call };
}

/** An answer that is a wrapping token in place of the response (Vault's envelope with `wrap_info`). */
function isWrapped(body: unknown): body is VaultResponse<null> {
  const info = body !== null && typeof body === 'object' ? (body as { wrap_info?: unknown }).wrap_info : undefined;
  return info !== null && typeof info === 'object' && typeof (info as { token?: unknown }).token === 'string';
}

function hasCredentials(address: string): boolean {
  try {
    const url = new URL(address);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/**
 * Whether `value` can go in a header as it is. fetch refuses anything else with an error that
 * quotes the value, which for a token would put it in every log the error reaches.
 */
function fitsHeader(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}

/** The body's JSON text; a body JSON cannot write is the caller's error, and nothing is sent. */
function requestJson(method: HttpMethod, path: string, body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (err) {
    const reason = err instanceof RangeError ? 'the body nests too deeply to write as JSON' : 'the body cannot be written as JSON';
    throw new SealtrailRequestError(method, path, reason, err);
  }
}

/**
 * The largest answer read (a journal page is at most 16 Mi characters of records and one more
 * record, which earlier servers wrote twice): past it the body is not read further, so an endless
 * or hostile answer cannot take the client's memory.
 */
export const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

/**
 * The deepest answer parsed. A Sealtrail server's deepest is a journal record imported at the
 * import's bound (1,000 levels) inside a page or timeline (6 more); what a request stores nests
 * at most `max_request_json_depth` (64 by default) in its answer's envelope, and the rest leaves
 * room for a server configured for deeper bodies. An answer deeper is refused before it is parsed:
 * JSON.parse holds memory for every level it has open.
 */
export const MAX_RESPONSE_DEPTH = 2048;

class ResponseTooLarge extends Error {}
class RedirectRefused extends Error {}

const REDIRECTS = new Set([301, 302, 307, 308]);

/**
 * Where a redirect answer sends the request, as Vault's client follows one (an HA standby sends
 * clients to the active node): the same method, headers and body, once. A redirect from https to
 * anything else is refused, as Vault's client refuses a protocol downgrade: the token and the body
 * would cross the network in clear.
 */
function redirectTarget(response: Response, from: string): string | undefined {
  if (!REDIRECTS.has(response.status)) return undefined;
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new RedirectRefused('the server redirected to an address that is not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new RedirectRefused(`the server redirected to a ${target.protocol} address: refused`);
  if (new URL(from).protocol === 'https:' && target.protocol !== 'https:') {
    throw new RedirectRefused(`the server redirected to ${target.origin}, from https to http: refused (the token would be sent in clear)`);
  }
  return target.href;
}

async function boundedText(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge(`the answer is ${declared} bytes, over the ${max} a client reads`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      await response.body.cancel().catch(() => undefined);
      throw new ResponseTooLarge(`the answer is over the ${max} bytes a client reads`);
    }
    chunks.push(chunk);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return new TextDecoder().decode(all);
}

function describeFetchFailure(err: unknown, timeoutMs: number, url: string): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  // Node's fetch reports "fetch failed" and puts the useful part (ECONNREFUSED ...) in `cause`.
  const cause = err instanceof Error ? (err.cause as { message?: string; code?: string } | undefined) : undefined;
  const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
  // OpenSSL's text ("...:error:0A00010B:SSL routines:...:wrong version number:<source path>") says
  // one thing a user can act on.
  if (cause?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(message)) {
    return 'the server at this address does not answer with TLS: use an http:// address (or the port of its TLS listener)';
  }
  if (url.startsWith('http:') && (cause?.code === 'UND_ERR_SOCKET' || message === 'other side closed')) {
    return `${message} (if the server listens with TLS, use an https:// address)`;
  }
  return message;
}
