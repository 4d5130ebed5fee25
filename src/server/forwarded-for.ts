/**
 * The client's address behind a load balancer, as Vault's listener takes it from X-Forwarded-For:
 * only a peer among `x_forwarded_for_authorized_addrs` is believed, and the address used is the
 * one `hop_skips` places from the right end of the chain (the load balancer appends the address
 * it saw, so the right end is the one a client cannot forge). Every header of the name counts,
 * each split at commas, in order. The address then stands for the client everywhere: audit entries, the
 * journal, `aws:SourceIp`, CloudTrail's `sourceIPAddress`.
 *
 * Refusals are Vault's, 400 before a request exists (not audited): no header while
 * `reject_not_present`, a header from a peer not authorized while `reject_not_authorized`, a chain
 * shorter than the hops to skip. An address that is not an IP literal (a zone id included: it names
 * an interface of the proxy's, not the client) is refused too, without echoing it: it would
 * otherwise be written into every record as the client's. The address is kept in its one
 * canonical spelling (canonicalIp), so each client has one address in every record and filter.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ForwardedForConfig } from '../config/index.js';
import { canonicalIp, ipBlockList, ipInList } from '../lib/ip-range.js';
import { setForwardedAddress, socketAddress } from './peer.js';

export type Refuse = (reply: FastifyReply, message: string) => unknown;

/** An onRequest hook applying `config` to every request of the listener. */
export function forwardedForHook(config: ForwardedForConfig, refuse: Refuse) {
  const authorized = ipBlockList(config.authorizedAddrs);
  if (!authorized) throw new Error('x_forwarded_for_authorized_addrs holds a value that is not an address or CIDR block');
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    // Node joins repeated X-Forwarded-For headers with commas, in order (so does the LIST replay).
    const header = req.headers['x-forwarded-for'];
    const headers = header === undefined ? [] : Array.isArray(header) ? header : [header];
    if (headers.length === 0) {
      if (!config.rejectNotPresent) return undefined;
      return refuse(reply, 'missing x-forwarded-for header and configured to reject when not present');
    }
    const peer = socketAddress(req.raw.socket.remoteAddress);
    if (!ipInList(authorized, peer)) {
      if (!config.rejectNotAuthorized) return undefined;
      return refuse(reply, 'client address not authorized for x-forwarded-for and configured to reject connection');
    }
    const chain = headers.flatMap((h) => h.split(',')).map((s) => s.trim());
    const index = chain.length - 1 - config.hopSkips;
    if (index < 0) {
      return refuse(reply, `malformed x-forwarded-for configuration or request, hops to skip (${config.hopSkips}) would skip before earliest chain link (chain length ${chain.length})`);
    }
    const address = canonicalIp(chain[index]);
    if (address === undefined) return refuse(reply, 'malformed x-forwarded-for request: the client address is not an IP address');
    setForwardedAddress(req.raw, address);
    return undefined;
  };
}
