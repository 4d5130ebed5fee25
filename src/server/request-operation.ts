/** The Vault operation an HTTP request asks for: its method, and `?list=true` on a GET. */
import type { FastifyRequest } from 'fastify';
import type { Operation } from '../core/index.js';

const METHOD_OPERATION: Readonly<Record<string, Operation>> = {
  GET: 'read', HEAD: 'read', POST: 'update', PUT: 'update', PATCH: 'patch', DELETE: 'delete',
};

/**
 * What Go's strconv.ParseBool reads as true, as Vault reads `?list=`: hvac sends Python's `True`,
 * and `vault list` sends `true`.
 */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

/** Undefined for a method the Vault API does not serve. */
export function requestOperation(req: FastifyRequest): Operation | undefined {
  const operation = METHOD_OPERATION[req.method];
  if (operation !== 'read') return operation;
  const list = (req.query as Record<string, unknown> | undefined)?.list;
  return typeof list === 'string' && TRUE.has(list) ? 'list' : operation;
}
