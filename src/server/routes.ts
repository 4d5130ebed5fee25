/**
 * The edge's routes and what a request carries into the core, shared by the Vault API (http.ts),
 * the AWS endpoint (aws/index.ts) and the hooks that run before either (rate-limit.ts).
 */
import type { FastifyRequest } from 'fastify';
import { setOwn } from '../lib/safe-object.js';

/** The Vault API's route (everything under /v1/) and the AWS JSON endpoint's. */
export const VAULT_ROUTE = '/v1/*';
export const AWS_ROUTE = '/';

/** The request's headers as the logical request and its audit entries hold them: name → values. */
export function headerLists(req: FastifyRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) setOwn(headers, k, Array.isArray(v) ? v : [String(v)]);
  return headers;
}
