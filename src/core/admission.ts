/**
 * What the core can say about a request before its body is read, so the edge can decide how much
 * body to accept: whether its token is valid, or whether its path is served without a token. The
 * answer is advisory (the lifecycle checks the token again, from the token store's cache); it has
 * no side effect and does not count a token use.
 */
import type { Core } from './core.js';
import { matchesPathList } from './glob.js';

export type Standing = 'token' | 'unauthenticated_path' | 'none';

/** The seal endpoints answered before the lifecycle that take a body (see sys/seal.ts). */
const SEAL_ENDPOINTS_WITH_BODY = ['sys/init', 'sys/unseal'];

export async function requestStanding(core: Core, path: string, clientToken: string): Promise<Standing> {
  if (SEAL_ENDPOINTS_WITH_BODY.includes(path)) return 'unauthenticated_path';
  const services = core.unsealedServices;
  if (!services) return 'none';
  if (clientToken !== '' && (await services.tokens.lookup(clientToken)) !== undefined) return 'token';
  const route = services.mounts.route(path);
  if (route && matchesPathList(path.slice(route.prefix.length), route.backend.unauthenticatedPaths)) return 'unauthenticated_path';
  return 'none';
}
