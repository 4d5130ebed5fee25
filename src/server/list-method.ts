/**
 * Vault's LIST verb on Node's HTTP parser.
 *
 * Vault clients (node-vault, hvac, `curl -X LIST`) send `LIST /v1/...`, but Node's HTTP parser
 * (llhttp) has a fixed method table without LIST: it stops at the method and reports
 * HPE_INVALID_METHOD through `clientError`, with the bytes it was given. Vault's own Go client
 * sends `GET ?list=true`, which needs nothing.
 *
 * We serve LIST on that error path only, so ordinary traffic keeps Node's C++ parser fast path
 * (rewriting bytes in a `data` listener instead measured at half the throughput for small
 * requests): the buffered request is parsed here, replayed through the same routes as
 * `GET <path>?list=true` (fastify's inject, so it passes the whole lifecycle and is audited like
 * any request), the response is written to the socket, and the connection is closed — the parser
 * that failed cannot go on; clients reconnect as after any server-closed keep-alive connection.
 * Earlier pipelined requests on the same socket are answered first.
 */
import { STATUS_CODES, maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { setOwn } from '../lib/safe-object.js';
import { replayRequestClass } from './peer.js';
import { whenResponseClosed } from './response-closed.js';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
  bytesParsed?: number;
}

export interface ParsedListRequest {
  target: string;
  headers: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A field value as llhttp takes it in any other request: tab, space, visible ASCII, obs-text. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Parses `LIST <target> HTTP/1.x` plus headers from a buffered request: undefined if malformed,
 * `too_large` past `maxBytes` — by default Node's limit on any other request's line and headers
 * (16 KiB), so a LIST cannot carry a query string no GET could.
 */
export function parseListRequest(raw: Buffer, maxBytes: number = maxHeaderSize): ParsedListRequest | 'too_large' | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 ? raw.length > maxBytes : end + 4 > maxBytes) return 'too_large';
  if (end < 0) return undefined;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  // Visible ASCII only, as llhttp takes a direct request's target: the same bytes are refused.
  const m = /^LIST (\/[\x21-\x7e]*) HTTP\/1\.[01]$/.exec(lines[0]);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) return undefined;
    // Only spaces and tabs around a value are dropped (trim() would also take other controls).
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '');
    if (!FIELD_VALUE.test(value)) return undefined;
    setOwn(headers, name, Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value);
  }
  if ((headers['content-length'] ?? '0') !== '0' || headers['transfer-encoding']) return undefined;
  return { target: m[1], headers };
}

function rawResponse(status: number, headers: Record<string, unknown>, body: string | Buffer): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name.toLowerCase()) || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`;
  }
  head += `content-length: ${payload.length}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

/**
 * The request llhttp failed on: `bytesParsed` counts the earlier pipelined requests plus the part
 * of the method it accepted before giving up ("LI" could still have been LINK), so the LIST line
 * starts at most four bytes before it, at a request boundary. The packet is what the segment
 * brought: it may end anywhere in the head.
 */
function failedRequest(packet: Buffer, bytesParsed: number): Buffer | undefined {
  for (let start = Math.min(bytesParsed, packet.length - 1); start >= Math.max(0, bytesParsed - 4); start--) {
    if (start > 0 && packet.toString('latin1', start - 4, start) !== '\r\n\r\n') continue;
    // The head from there, or the start of one cut short by the end of the segment ("LIS").
    const rest = packet.subarray(start);
    const n = Math.min(rest.length, LIST_START.length);
    if (rest.toString('latin1', 0, n) === LIST_START.slice(0, n)) return rest;
  }
  // A method split across segments: llhttp took "L" or "LI" from an earlier one (LINK and LOCK
  // start so) and failed at the S, at this packet's offset 1 ("IST ...") or 0 ("ST ...").
  for (const taken of ['L', 'LI']) {
    const rest = LIST_START.slice(taken.length);
    const n = Math.min(packet.length, rest.length);
    if (bytesParsed === 2 - taken.length && n > 0 && packet.toString('latin1', 0, n) === rest.slice(0, n)) return Buffer.concat([Buffer.from(taken, 'latin1'), packet]);
  }
  return undefined;
}

const LIST_START = 'LIST ';

/** How long the rest of a LIST's head may take to arrive: the server's headers timeout. */
function headersTimeoutOf(socket: Socket): number {
  const server = (socket as Socket & { server?: { headersTimeout?: number } }).server;
  const ms = server?.headersTimeout;
  return typeof ms === 'number' && ms > 0 ? ms : 60_000;
}

/**
 * The rest of a LIST's head, when its first segment ended before the blank line (a slow link,
 * large headers): the failed parser is taken off the socket and the bytes are read here, up to
 * the head size limit and the server's headers timeout. Resolves with the whole head so far, or
 * 'timeout'.
 */
function restOfHead(head: Buffer, socket: Socket): Promise<Buffer | 'timeout'> {
  return new Promise((resolve) => {
    let got = head;
    const done = (result: Buffer | 'timeout') => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.includes('\r\n\r\n') || got.length > maxHeaderSize) done(got);
    };
    const onClose = () => done(got);
    const timer = setTimeout(() => done('timeout'), headersTimeoutOf(socket));
    socket.removeAllListeners('data');
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * Sends the last bytes of a connection and closes it once they are written, without waiting for
 * the client to close its side: a client that never does must not keep the socket.
 */
function endAndClose(socket: Socket, bytes: Buffer): void {
  socket.end(bytes, () => socket.destroy());
}

const badRequest = () => rawResponse(400, { 'content-type': 'application/json' }, JSON.stringify({ errors: ['malformed HTTP request'] }));

/**
 * Installs the LIST fallback. Returns the `clientErrorHandler` to give fastify; `app` is read
 * lazily because the handler must exist before fastify is built.
 */
export function listMethodFallback(getApp: () => FastifyInstance) {
  // Responses still owed on each socket, so a LIST answer never overtakes an earlier response.
  const inFlight = new WeakMap<Socket, number>();
  const idle = new WeakMap<Socket, Array<() => void>>();

  function track(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
      whenResponseClosed(res, () => {
        const left = (inFlight.get(socket) ?? 1) - 1;
        inFlight.set(socket, left);
        if (left === 0) for (const wake of idle.get(socket)?.splice(0) ?? []) wake();
      });
    });
  }

  const settled = (socket: Socket) => new Promise<void>((resolve) => {
    if (!inFlight.get(socket)) return resolve();
    const waiting = idle.get(socket) ?? [];
    waiting.push(resolve);
    idle.set(socket, waiting);
  });

  async function serveList(request: ParsedListRequest, socket: Socket): Promise<void> {
    await settled(socket);
    // The replay below goes through a WHATWG URL parser, which reads `\` as `/` and resolves dot
    // segments (also written %2e) before the edge's path check sees the path. A direct request
    // keeps `\` as a character of the path: it is sent percent-encoded, which the route decodes
    // back to the same path. Dot segments are refused here, as the direct path refuses them.
    const target = request.target.replaceAll('\\', '%5C');
    if (hasDotSegment(target)) {
      endAndClose(socket, rawResponse(400, { 'content-type': 'application/json' },
        JSON.stringify({ errors: ['invalid request path: "." and ".." segments are not allowed'] })));
      return;
    }
    const res = await getApp().inject({
      method: 'GET',
      url: listTarget(target),
      headers: request.headers,
      remoteAddress: socket.remoteAddress,
      Request: replayRequestClass(socket.remotePort),
    });
    endAndClose(socket, rawResponse(res.statusCode, res.headers, res.rawPayload));
  }

  /**
   * The GET a LIST is replayed as: its path and query with `list=true` as the only `list`. A
   * `list` the client sent (`?list=false`) or a fragment (`#`, which would swallow what follows)
   * would otherwise turn the LIST into a read.
   */
  function listTarget(target: string): string {
    const hash = target.indexOf('#');
    const noFragment = hash < 0 ? target : target.slice(0, hash);
    const q = noFragment.indexOf('?');
    const path = q < 0 ? noFragment : noFragment.slice(0, q);
    const params = q < 0 ? [] : noFragment.slice(q + 1).split('&').filter((p) => p !== '' && paramName(p) !== 'list');
    return `${path}?${[...params, 'list=true'].join('&')}`;
  }

  /** A query parameter's name as the query parser reads it (`%6Cist` is `list`). */
  function paramName(param: string): string {
    const name = param.split('=')[0].replaceAll('+', ' ');
    try {
      return decodeURIComponent(name);
    } catch {
      return name;
    }
  }

  function clientErrorHandler(err: ParserError, socket: Socket): void {
    // Only the HTTP parser's errors get an answer. Any other (a TLS handshake that failed or timed
    // out, a socket error) closes the connection at once: an answer written to a TLS socket whose
    // handshake never finished is never sent, and waiting for it kept the socket open for ever.
    if (err.code === 'ECONNRESET' || !socket.writable || !isHttpError(err)) {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Past the header or read timeout: answer and close outright, as node does, so a client
      // that never reads nor closes cannot keep the socket half-open.
      socket.write(rawResponse(408, { 'content-type': 'application/json' }, JSON.stringify({ errors: ['request timeout'] })));
      socket.destroy();
      return;
    }
    const head = err.code === 'HPE_INVALID_METHOD' && err.rawPacket ? failedRequest(err.rawPacket, err.bytesParsed ?? 0) : undefined;
    if (head !== undefined && !head.includes('\r\n\r\n') && head.length <= maxHeaderSize) {
      restOfHead(head, socket).then((whole) => {
        if (whole === 'timeout') {
          socket.write(rawResponse(408, { 'content-type': 'application/json' }, JSON.stringify({ errors: ['request timeout'] })));
          socket.destroy();
        } else if (socket.writable) {
          answer(err, parseListRequest(whole), socket);
        }
      }, () => socket.destroy());
      return;
    }
    answer(err, head === undefined ? undefined : parseListRequest(head), socket);
  }

  function answer(err: ParserError, request: ReturnType<typeof parseListRequest>, socket: Socket): void {
    if (request === undefined || request === 'too_large') {
      endAndClose(socket, err.code === 'HPE_HEADER_OVERFLOW' || request === 'too_large'
        ? rawResponse(431, { 'content-type': 'application/json' }, JSON.stringify({ errors: ['request headers too large'] }))
        : badRequest());
      return;
    }
    serveList(request, socket).catch(() => endAndClose(socket, rawResponse(500, { 'content-type': 'application/json' }, JSON.stringify({ errors: ['internal error'] }))));
  }

  return { clientErrorHandler, track };
}

/** An error of Node's HTTP parser or of its request timeout, as opposed to the TLS layer's or the socket's. */
function isHttpError(err: ParserError): boolean {
  return err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || (err.code?.startsWith('HPE_') ?? false);
}

/** Whether the target's path (before any query) has a `.` or `..` segment, plain or %2e-encoded. */
function hasDotSegment(target: string): boolean {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return path.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg));
}
