/**
 * Cross-origin requests. No answer carries CORS headers, so a page on another origin cannot read
 * one, but a browser still sends a "simple" request (a POST of text/plain, no custom header) and
 * the server would act on it: a page in an operator's browser could initialize a fresh server with
 * keys nobody gets, reset unseal progress or burn a login's rate limit. A browser names the page's
 * origin in `Origin` on every such request, so a request whose `Origin` is not this server's own is
 * refused before anything acts on it (before the standby gate, rate limits and the core: not
 * audited). A request without `Origin` — every CLI, SDK and HTTP client — is not affected.
 *
 * This server's own origin is the request's Host under the connection's scheme; on a plain HTTP
 * listener `https://` + Host is accepted too, as a TLS-terminating proxy in front serves the
 * console over HTTPS. `Origin: null` (a sandboxed frame, a file, a redirect across origins) is
 * foreign, and so is any `Origin` when the request has no Host.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { announcesBody } from './rate-limit.js';

export const CROSS_ORIGIN_REFUSAL = 'cross-origin requests are not allowed';

/** Whether the request carries an `Origin` that is not this server's own. */
export function isCrossOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const host = req.headers.host;
  if (typeof host !== 'string' || host === '') return true;
  const own = ownOrigins(host.toLowerCase(), isTlsConnection(req));
  return !own.includes(origin.toLowerCase());
}

function ownOrigins(host: string, tls: boolean): string[] {
  return tls ? [`https://${host}`] : [`http://${host}`, `https://${host}`];
}

function isTlsConnection(req: FastifyRequest): boolean {
  return (req.raw.socket as { encrypted?: boolean } | null)?.encrypted === true;
}

/**
 * An onRequest hook refusing a cross-origin request on the routes `guarded` picks, with the
 * answer `refuse` sends. A body it announced is never read: the connection ends with the answer.
 */
export function crossOriginHook(guarded: (req: FastifyRequest) => boolean, refuse: (req: FastifyRequest, reply: FastifyReply) => unknown) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (!guarded(req) || !isCrossOrigin(req)) return undefined;
    if (announcesBody(req)) reply.header('connection', 'close');
    return refuse(req, reply);
  };
}
