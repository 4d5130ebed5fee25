/**
 * Requests a browser sends for a page that is not this server's.
 *
 * Cross-origin: no answer carries CORS headers, so a page on another origin cannot read one, but a
 * browser still sends a "simple" request (a POST of text/plain, no custom header) and the server
 * would act on it: a page in an operator's browser could initialize a fresh server with keys
 * nobody gets, reset unseal progress or burn a login's rate limit. A browser names the page's
 * origin in `Origin` on every such request, so a request whose `Origin` is not this server's own is
 * refused before anything acts on it (before the standby gate, rate limits and the core: not
 * audited). A request without `Origin` — every CLI, SDK and HTTP client — is not affected.
 *
 * This server's own origin is the request's Host under the connection's scheme; on a plain HTTP
 * listener `https://` + Host is accepted too, as a TLS-terminating proxy in front serves the
 * console over HTTPS. `Origin: null` (a sandboxed frame, a file, a redirect across origins) is
 * foreign, and so is any `Origin` when the request has no Host.
 *
 * DNS rebinding: a page at http://evil.example:8200 whose name the attacker then points at
 * 127.0.0.1 is same-origin with its own requests to this server (Host and Origin both name
 * evil.example), so it could act and read the answers — a fresh server's unseal keys and root
 * token from sys/init. On a plain HTTP connection a browser's request (one with `Origin`) must
 * therefore name this server by a name no outsider's DNS answers for: an IP address, `localhost`,
 * or one of the server's own names (its host name, api_addr's host). Over TLS the browser has
 * already checked the name against the server's certificate, which an attacker's name fails.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { announcesBody } from './rate-limit.js';

export const CROSS_ORIGIN_REFUSAL = 'cross-origin requests are not allowed';
export const UNKNOWN_HOST_REFUSAL = 'a browser must address this server by an IP address, localhost, its host name or the host of api_addr';

/** This server's own host names (lower case, no port), beside IP addresses and `localhost`. */
export type OwnHostNames = ReadonlySet<string>;

/** Why a browser's request is refused (the message sent), or undefined when it is not. */
export function browserRefusal(req: FastifyRequest, names: OwnHostNames): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const host = req.headers.host;
  if (typeof host !== 'string' || host === '') return CROSS_ORIGIN_REFUSAL;
  const tls = isTlsConnection(req);
  const lower = host.toLowerCase();
  if (!ownOrigins(lower, tls).includes(origin.toLowerCase())) return CROSS_ORIGIN_REFUSAL;
  return tls || isOwnHost(lower, names) ? undefined : UNKNOWN_HOST_REFUSAL;
}

/**
 * Whether a Host header (lower case) names this server in a way no other party's DNS decides: an
 * IP address (a browser writes it canonical), `localhost`, which browsers resolve to loopback
 * themselves, or one of `names`. A name's one trailing dot is ignored.
 */
export function isOwnHost(host: string, names: OwnHostNames): boolean {
  const name = hostName(host);
  if (name === undefined) return false;
  if (isIP(name) !== 0) return true;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare === 'localhost' || names.has(bare);
}

/** The name or address of a Host header, without its port; an IPv6 address without its brackets. */
function hostName(host: string): string | undefined {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const rest = host.slice(end + 1);
    if (end < 0 || (rest !== '' && !/^:\d+$/.test(rest))) return undefined;
    const address = host.slice(1, end);
    return isIP(address) === 6 ? address : undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0) return host;
  return /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : undefined;
}

function ownOrigins(host: string, tls: boolean): string[] {
  return tls ? [`https://${host}`] : [`http://${host}`, `https://${host}`];
}

function isTlsConnection(req: FastifyRequest): boolean {
  return (req.raw.socket as { encrypted?: boolean } | null)?.encrypted === true;
}

/**
 * An onRequest hook refusing a browser's request (browserRefusal) on the routes `guarded` picks,
 * with the answer `refuse` sends for the message. A body it announced is never read: the
 * connection ends with the answer.
 */
export function crossOriginHook(guarded: (req: FastifyRequest) => boolean, names: OwnHostNames, refuse: (req: FastifyRequest, reply: FastifyReply, message: string) => unknown) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (!guarded(req)) return undefined;
    const refusal = browserRefusal(req, names);
    if (refusal === undefined) return undefined;
    if (announcesBody(req)) reply.header('connection', 'close');
    return refuse(req, reply, refusal);
  };
}
