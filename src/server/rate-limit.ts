/**
 * Rate limit quotas at the edge (core/rate-limits.ts): an `onRequest` hook that counts each Vault
 * API call and each AWS call against the quota covering its path, before its body is read or a
 * request exists.
 *
 *   /v1/<path>            → <path>                        over its quota: 429, Vault's message
 *   POST / (X-Amz-Target) → kms/aws/<Op>, trail/aws/<Op>  over its quota: 400 ThrottlingException
 *
 * The client is the connection's address, or the one an authorized load balancer forwarded
 * (forwarded-for.ts runs first); an IPv6 client is its /64, which one host can rotate through. A refused request is not audited unless
 * `enable_rate_limit_audit_logging` is set — then it is, as a request and a response entry with its
 * error and without its body, and an AWS call leaves no CloudTrail event, its signature unchecked.
 * With `enable_rate_limit_response_headers`, every answer under a quota carries Vault's
 * X-Ratelimit-Limit, X-Ratelimit-Remaining and X-Ratelimit-Reset, and a refusal Retry-After.
 * The console's files are not limited. A path the edge will refuse anyway counts against the
 * global quota.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rateLimitExceeded, type Core, type LogicalRequest, type RateLimitDecision, type RateLimits } from '../core/index.js';
import { SealtrailError } from '../errors/index.js';
import { newRequestId } from '../lib/ids.js';
import { clientBlock } from '../lib/ip-range.js';
import { parseTarget } from './aws/target.js';
import { clientTokenOf } from './client-token.js';
import type { EdgeLog } from './errors.js';
import { peerOf } from './peer.js';
import { requestOperation } from './request-operation.js';
import { checkRequestPath } from './request-path.js';
import { AWS_ROUTE, VAULT_ROUTE, headerLists } from './routes.js';

interface QuotaTarget {
  path: string;
  aws: boolean;
}

/**
 * The logical path a request will have, before it is read; undefined for what no quota covers.
 * Taken from the route the router chose and the path it decoded — never from the raw URL, which
 * an absolute-form target (`GET http://host/v1/... HTTP/1.1`) or a fragment (`/v1/x#y`) spells
 * differently from the path the handler gets.
 */
function quotaTarget(req: FastifyRequest): QuotaTarget | undefined {
  const route = req.routeOptions.url;
  if (route === VAULT_ROUTE) {
    let path = '';
    try {
      path = checkRequestPath((req.params as Record<string, string | undefined>)['*'] ?? '');
    } catch {
      // Refused by the edge unaudited: only the global quota counts it.
    }
    return { path, aws: false };
  }
  if (route === AWS_ROUTE && req.method === 'POST') {
    const header = req.headers['x-amz-target'];
    return { path: parseTarget(typeof header === 'string' ? header : undefined)?.path ?? 'kms/aws/', aws: true };
  }
  return undefined;
}

/** A body announced and not read: the connection ends with the refusal, so it never is. */
export const announcesBody = (req: FastifyRequest) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

function setHeaders(reply: FastifyReply, d: RateLimitDecision): void {
  reply.header('x-ratelimit-limit', String(d.limit));
  reply.header('x-ratelimit-remaining', String(d.remaining));
  reply.header('x-ratelimit-reset', String(d.resetSeconds));
  if (!d.allowed) reply.header('retry-after', String(d.resetSeconds));
}

/** The refused request as its audit entries show it: no body, and for an AWS call no identity. */
function refusedRequest(req: FastifyRequest, target: QuotaTarget, id: string): LogicalRequest {
  const headers = headerLists(req);
  const operation = target.aws ? 'update' : requestOperation(req) ?? 'read';
  return {
    id, operation, path: target.path, data: {}, clientToken: target.aws ? '' : clientTokenOf(req.headers),
    ...peerOf(req.raw), headers, wrapTtl: 0, method: req.method,
  };
}

/**
 * A callback-style hook, so a server without quotas (most) pays a property read and no promise.
 * A refused request gets its answer here and goes no further.
 */
export function rateLimitHook(deps: { core: Core; log: EdgeLog }) {
  async function refuse(req: FastifyRequest, reply: FastifyReply, quotas: RateLimits, target: QuotaTarget): Promise<void> {
    const refusal = rateLimitExceeded(target.path);
    const id = newRequestId();
    if (quotas.config.enableRateLimitAuditLogging) {
      // core.refuse always throws: the refusal once audited, or why it could not be. Either way the
      // client hears of its quota, as in Vault; a failed entry is the audit devices' own episode.
      await deps.core.refuse(refusedRequest(req, target, id), refusal).catch((err: unknown) => {
        if (err !== refusal && !(err instanceof SealtrailError && err.kind === 'sealed')) deps.log.error({ err }, 'a rate-limited request could not be audited');
      });
    }
    if (announcesBody(req)) reply.header('connection', 'close');
    if (target.aws) {
      reply.code(400).header('x-amzn-requestid', id).header('content-type', 'application/x-amz-json-1.1');
      reply.send(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return;
    }
    reply.code(429).header('content-type', 'application/json');
    reply.send(JSON.stringify({ errors: [refusal.message] }));
  }

  return function rateLimit(req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const quotas = deps.core.unsealedServices?.quotas;
    if (quotas === undefined || !quotas.active) return done();
    const target = quotaTarget(req);
    if (target === undefined) return done();
    const decision = quotas.take(target.path, clientBlock(peerOf(req.raw).remoteAddress));
    if (decision === undefined) return done();
    if (quotas.config.enableRateLimitResponseHeaders) setHeaders(reply, decision);
    if (decision.allowed) return done();
    refuse(req, reply, quotas, target).catch((err: Error) => done(err));
  };
}
