/** The Vault operation an HTTP request asks for: its method, and `?list=true` on a GET. */
import type { FastifyRequest } from 'fastify';
import type { Operation } from '../core/index.js';
import { parseGoBool } from '../lib/go-bool.js';

const METHOD_OPERATION: Readonly<Record<string, Operation>> = {
  GET: 'read', HEAD: 'read', POST: 'update', PUT: 'update', PATCH: 'patch', DELETE: 'delete',
};

/** Undefined for a method the Vault API does not serve. */
export function requestOperation(req: FastifyRequest): Operation | undefined {
  const operation = METHOD_OPERATION[req.method];
  if (operation !== 'read') return operation;
  const query = (req.query as Record<string, unknown> | undefined)?.list;
  // Repeated, its first value (Go's url.Values.Get), read as Go's ParseBool reads it, as Vault
  // does: hvac sends Python's `True`.
  const list: unknown = Array.isArray(query) ? query[0] : query;
  return parseGoBool(list) === true ? 'list' : operation;
}
