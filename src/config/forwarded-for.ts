/**
 * Vault's X-Forwarded-For settings of a listener, for a server behind a load balancer or proxy:
 *   x_forwarded_for_authorized_addrs       addresses or CIDR blocks (a list, or one string of
 *                                          comma-separated ones) whose X-Forwarded-For is believed
 *   x_forwarded_for_hop_skips              addresses skipped from the right end (default 0)
 *   x_forwarded_for_reject_not_authorized  a header from any other peer is refused (default true)
 *   x_forwarded_for_reject_not_present     a request without the header is refused (default true)
 * Without authorized addresses the header is never read (server/forwarded-for.ts applies them).
 */
import { ConfigError } from './config-error.js';
import { bool, wholeNumber, type Obj } from './values.js';
import { ipRangeOf } from '../lib/ip-range.js';

export interface ForwardedForConfig {
  /** As written: `10.0.0.0/8`, `192.0.2.10`, `2001:db8::/32`. */
  authorizedAddrs: string[];
  hopSkips: number;
  rejectNotAuthorized: boolean;
  rejectNotPresent: boolean;
}

export const FORWARDED_FOR_KEYS = ['x_forwarded_for_authorized_addrs', 'x_forwarded_for_hop_skips', 'x_forwarded_for_reject_not_authorized', 'x_forwarded_for_reject_not_present'];

/** How many authorized blocks a listener may list. */
const MAX_AUTHORIZED = 1024;

/** The listener's X-Forwarded-For settings, or undefined when it names no authorized address. */
export function readForwardedFor(body: Obj): ForwardedForConfig | undefined {
  const raw = body.x_forwarded_for_authorized_addrs;
  const others = FORWARDED_FOR_KEYS.slice(1).filter((k) => body[k] !== undefined);
  if (raw === undefined) {
    if (others.length > 0) throw new ConfigError(`listener: ${others[0]} needs x_forwarded_for_authorized_addrs`);
    return undefined;
  }
  const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) && raw.every((x) => typeof x === 'string') ? raw as string[] : undefined;
  if (items === undefined) throw new ConfigError('listener.x_forwarded_for_authorized_addrs must be a list of addresses or CIDR blocks, or one string of them separated by commas');
  const authorizedAddrs = items.map((s) => s.trim()).filter((s) => s !== '');
  if (authorizedAddrs.length === 0) throw new ConfigError('listener.x_forwarded_for_authorized_addrs names no address');
  if (authorizedAddrs.length > MAX_AUTHORIZED) throw new ConfigError(`listener.x_forwarded_for_authorized_addrs lists more than ${MAX_AUTHORIZED} blocks`);
  for (const block of authorizedAddrs) {
    if (!ipRangeOf(block)) throw new ConfigError(`listener.x_forwarded_for_authorized_addrs: "${block.slice(0, 60)}" is not an IP address or CIDR block`);
  }
  let hopSkips = 0;
  if (body.x_forwarded_for_hop_skips !== undefined) {
    hopSkips = wholeNumber(body.x_forwarded_for_hop_skips);
    if (!Number.isInteger(hopSkips) || hopSkips < 0 || hopSkips > 64) throw new ConfigError('listener.x_forwarded_for_hop_skips must be an integer from 0 to 64');
  }
  const flag = (key: string) => (body[key] === undefined ? true : bool(body[key], `listener.${key}`));
  return {
    authorizedAddrs,
    hopSkips,
    rejectNotAuthorized: flag('x_forwarded_for_reject_not_authorized'),
    rejectNotPresent: flag('x_forwarded_for_reject_not_present'),
  };
}
