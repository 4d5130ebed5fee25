/**
 * The IpAddress / NotIpAddress operators of IAM: a pattern is an address or a CIDR range, IPv4 or
 * IPv6 (`203.0.113.0/24`, `2001:db8::/32`); an address of the other family never matches.
 */
import type { BlockList } from 'node:net';
import { ipBlockList, ipInList, ipRangeOf } from '../../lib/ip-range.js';

export const isIpPattern = (pattern: string): boolean => ipRangeOf(pattern) !== undefined;

const lists = new Map<string, BlockList | null>();

/** Whether `address` lies in the range `pattern` names (false for anything that is not an address). */
export function ipInRange(pattern: string, address: string): boolean {
  let list = lists.get(pattern);
  if (list === undefined) {
    list = ipBlockList([pattern]) ?? null;
    if (lists.size > 10_000) lists.clear();
    lists.set(pattern, list);
  }
  return list !== null && ipInList(list, address);
}
