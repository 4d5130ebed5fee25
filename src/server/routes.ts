/**
 * The edge's routes and what a request carries into the core, shared by the Vault API (http.ts),
 * the AWS endpoint (aws/index.ts) and the hooks that run before either (rate-limit.ts).
 */
import type { FastifyRequest } from 'fastify';
import { setOwn } from '../lib/safe-object.js';

/** The Vault API's route (everything under /v1/) and the AWS JSON endpoint's. */
export const VAULT_ROUTE = '/v1/*';
export const AWS_ROUTE = '/';

/** Any byte past ASCII in a header value as Node decodes it (one Latin-1 character per byte). */
const NOT_ASCII = /[\x80-\xff]/;

/**
 * The request's headers as the logical request and its audit entries hold them, as Go's
 * http.Header does for Vault: name (lower-cased) → every value in the order sent, a repeated header
 * keeping each of its lines (Node's `req.headers` joins them with ", " or keeps only the first),
 * and each value's bytes read as UTF-8 (Node reads them as Latin-1; bytes that are not UTF-8
 * become U+FFFD, which is how Go's JSON writes them).
 */
export function headerLists(req: FastifyRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const raw = req.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    let value = raw[i + 1];
    if (NOT_ASCII.test(value)) value = Buffer.from(value, 'latin1').toString('utf8');
    if (Object.hasOwn(headers, name)) headers[name].push(value);
    else setOwn(headers, name, [value]);
  }
  return headers;
}
