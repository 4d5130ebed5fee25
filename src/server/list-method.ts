/**
 * Vault's LIST verb on Node's HTTP parser.
 *
 * Vault clients (node-vault, hvac, `curl -X LIST`) send `LIST /v1/...`, but Node's HTTP parser
 * (llhttp) has a fixed method table without LIST and answers 400 before any JavaScript runs.
 * Vault's own Go client sends `GET ?list=true`, which needs nothing.
 *
 * We rewrite the method in place, `LIST` → `LINK`, in the bytes the parser is about to read.
 * Both names are four bytes long, so the framing of the stream (header and body lengths) cannot
 * change. LINK is a registered method that no Vault path uses, and the edge maps it to `list`.
 * The rewrite applies only where a request line can start: at the start of a chunk, or right
 * after an empty line (pipelined requests without a body). In the worst case two bytes of a
 * client's own body are altered, when the body contains `\r\n\r\nLIST ` — which no JSON body can.
 *
 * The listener is prepended, so it sees each Buffer before the parser's own `data` listener. Adding
 * a `data` listener also makes the server read through JavaScript instead of its C++ fast path;
 * measured on this machine, a bare node:http server loses about 2% throughput from that.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const L = 0x4c, I = 0x49, S = 0x53, T = 0x54, N = 0x4e, K = 0x4b, SP = 0x20, CR = 0x0d, LF = 0x0a;

function rewriteAt(buf: Buffer, i: number): void {
  if (i + 4 < buf.length && buf[i] === L && buf[i + 1] === I && buf[i + 2] === S && buf[i + 3] === T && buf[i + 4] === SP) {
    buf[i + 2] = N;
    buf[i + 3] = K;
  }
}

/** Rewrites `LIST ` request lines in `buf` to `LINK `, in place. Exported for tests. */
export function rewriteListMethod(buf: Buffer): void {
  rewriteAt(buf, 0);
  for (let i = buf.indexOf('\r\n\r\n'); i !== -1; i = buf.indexOf('\r\n\r\n', i + 4)) {
    if (buf[i] === CR && buf[i + 1] === LF) rewriteAt(buf, i + 4);
  }
}

/** The method name the edge sees for a rewritten LIST request. */
export const LIST_ALIAS_METHOD = 'LINK';

/** Installs the rewrite on every connection of `server` (the decrypted stream for TLS). */
export function acceptListMethod(server: Server, tls: boolean): void {
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    socket.prependListener('data', (chunk: Buffer | string) => {
      if (typeof chunk !== 'string') rewriteListMethod(chunk);
    });
  });
}
