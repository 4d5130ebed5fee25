/**
 * What the core can say about a request before its body is read, so the edge can decide how much
 * body to accept: whether its token is valid, whether that token's policies grant the request's
 * operation on its path at all, or whether the path is served without a token. The answer is
 * advisory (the lifecycle checks the token and the ACL again, from the same caches); it has no side
 * effect and does not count a token use.
 */
import type { Core } from './core.js';
import type { Operation, TokenEntry } from './contract/types.js';
import type { CoreServices } from './services.js';
import { matchesPathList } from './glob.js';

/**
 * `token`: a valid token whose policies may grant the request; `refused_token`: a valid token that
 * no capability of its policies lets through (the request will be refused whatever its body holds);
 * `unauthenticated_path`: a path served without a token; `none`: neither.
 */
export type Standing = 'token' | 'refused_token' | 'unauthenticated_path' | 'none';

/** The operations a request may turn out to be: an update becomes a create when nothing is there yet. */
export function possibleOperations(operation: Operation): readonly Operation[] {
  return operation === 'update' || operation === 'create' ? CREATE_OR_UPDATE : [operation];
}
const CREATE_OR_UPDATE: readonly Operation[] = ['create', 'update'];

/**
 * Whether the token's policies grant any of `operations` on `path`, capabilities alone (parameter
 * and wrapping constraints need the request's data, which the lifecycle checks).
 */
export async function aclMayGrant(services: Pick<CoreServices, 'policies'>, token: TokenEntry, path: string, operations: readonly Operation[]): Promise<boolean> {
  const acl = await services.policies.acl(token.policies);
  return operations.some((operation) => acl.check(path, operation).allowed);
}

/** The seal endpoints answered before the lifecycle that take a body (see sys/seal.ts). */
const SEAL_ENDPOINTS_WITH_BODY = ['sys/init', 'sys/unseal'];

export async function requestStanding(core: Core, path: string, clientToken: string, operation: Operation): Promise<Standing> {
  if (SEAL_ENDPOINTS_WITH_BODY.includes(path)) return 'unauthenticated_path';
  const services = core.unsealedServices;
  if (!services) return 'none';
  const route = services.mounts.route(path);
  const unauthenticated = route !== undefined && matchesPathList(path.slice(route.prefix.length), route.backend.unauthenticatedPaths);
  const token = clientToken === '' ? undefined : await services.tokens.lookup(clientToken);
  if (token) return unauthenticated || (await aclMayGrant(services, token, path, possibleOperations(operation))) ? 'token' : 'refused_token';
  return unauthenticated ? 'unauthenticated_path' : 'none';
}
