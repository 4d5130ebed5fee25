/**
 * The IpAddress / NotIpAddress operators of IAM: a pattern is an address or a CIDR range, IPv4 or
 * IPv6 (`203.0.113.0/24`, `2001:db8::/32`); an address of the other family never matches.
 */
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

const familyOf = (address: string): Family | undefined => {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
};

/** The range a pattern names, or undefined when it is not an address or CIDR range. */
function rangeOf(pattern: string): { address: string; prefix: number; family: Family } | undefined {
  const slash = pattern.indexOf('/');
  const address = slash < 0 ? pattern : pattern.slice(0, slash);
  const family = familyOf(address);
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : pattern.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family };
}

export const isIpPattern = (pattern: string): boolean => rangeOf(pattern) !== undefined;

const lists = new Map<string, BlockList | null>();

/** Whether `address` lies in the range `pattern` names (false for anything that is not an address). */
export function ipInRange(pattern: string, address: string): boolean {
  let list = lists.get(pattern);
  if (list === undefined) {
    const range = rangeOf(pattern);
    list = range ? new BlockList() : null;
    if (range) list!.addSubnet(range.address, range.prefix, range.family);
    if (lists.size > 10_000) lists.clear();
    lists.set(pattern, list);
  }
  const family = familyOf(address);
  return list !== null && family !== undefined && list.check(address, family);
}
