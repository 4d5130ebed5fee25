/**
 * What an HA standby does at the edge, before anything else reads the request (as Vault): the
 * node's own endpoints (its status, init, unseal, and sys/seal, which a standby refuses) pass to
 * the node itself; every other request is sent to the active node
 * with 307 Temporary Redirect (method and body kept), or refused with 503 while no active node is
 * known (or this node has fenced itself). An AWS call is refused with 503 in AWS's shape either
 * way: AWS SDKs follow no redirect, and retry a 503. The redirect's host is only ever the api_addr the
 * active node wrote in the lock row: the request contributes its path and query, nothing else.
 * A request that slips past as "local" (an odd spelling of a path) finds no services on a
 * standby and is refused as sealed: the gate is a convenience, never the only barrier.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SealtrailError } from '../errors/index.js';

export interface StandbyView {
  /** Unsealed and not serving. */
  standingBy(): boolean;
  /** The active node's api_addr, when another node is active. */
  leaderAddress(): string | undefined;
}

/**
 * Answered by the node itself, active or not (Vault answers these on a standby too). `sys/seal`
 * is among them because it is about this node: a standby refuses it, as Vault's does (sys/seal.ts);
 * sent on to the active, it would seal the node the operator did not name.
 */
const LOCAL_PATHS = new Set(['/v1/sys/health', '/v1/sys/seal-status', '/v1/sys/leader', '/v1/sys/unseal', '/v1/sys/init', '/v1/sys/seal']);

export type GateDecision = { pass: true } | { pass: false; location: string } | { pass: false; error: SealtrailError };

export function gateDecision(view: StandbyView, rawUrl: string): GateDecision {
  if (!view.standingBy()) return { pass: true };
  // Only the path and query of the request: an absolute-form target cannot change the host.
  const url = new URL(rawUrl, 'http://standby.invalid');
  if (LOCAL_PATHS.has(url.pathname)) return { pass: true };
  const leader = view.leaderAddress();
  if (leader === undefined) {
    return { pass: false, error: new SealtrailError('unavailable', 'ha_not_active', 'this node is a standby and no active node is known: retry shortly') };
  }
  const target = new URL(leader);
  target.pathname = url.pathname;
  target.search = url.search;
  return { pass: false, location: target.toString() };
}

export interface StandbyRefusals {
  /** Whether the request is an AWS call (`POST /`): AWS SDKs follow no redirect. */
  isAws(req: FastifyRequest): boolean;
  vault(reply: FastifyReply, err: SealtrailError): unknown;
  /** In AWS's JSON error shape (503 ServiceUnavailableException, which the SDKs retry). */
  aws(reply: FastifyReply, err: SealtrailError): unknown;
}

export function standbyHook(view: StandbyView, refusals: StandbyRefusals) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const decision = gateDecision(view, req.url);
    if (decision.pass) return;
    // The body is not read: the connection closes with the answer.
    reply.header('connection', 'close');
    if (refusals.isAws(req)) {
      const err = 'error' in decision
        ? decision.error
        : new SealtrailError('unavailable', 'ha_not_active', `this node is a standby: send AWS calls to the active node (${new URL(decision.location).origin})`);
      await refusals.aws(reply, err);
      return reply;
    }
    if ('location' in decision) {
      await reply.code(307).header('location', decision.location).header('cache-control', 'no-store').send('');
      return reply;
    }
    await refusals.vault(reply, decision.error);
    return reply;
  };
}
