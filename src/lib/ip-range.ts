/**
 * IP addresses and CIDR ranges, IPv4 or IPv6 (`203.0.113.0/24`, `2001:db8::/32`, or one address):
 * parsed once into node:net's BlockList, whose checks are exact for either family.
 */
import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export const ipFamilyOf = (address: string): IpFamily | undefined => {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
};

/** An IPv4-mapped IPv6 address as the WHATWG serializer writes it (`::ffff:102:304`). */
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The one spelling of an IP address that records and filters compare, as Go's net.IP writes it:
 * IPv4 in dotted decimal; IPv6 as RFC 5952 has it (lower case, leading zeros dropped, the first
 * longest run of two or more zero groups as `::`); an IPv4-mapped IPv6 address, however written
 * (`::FFFF:1.2.3.4`, `0:0:0:0:0:ffff:1.2.3.4`, `::ffff:0102:0304`), as the IPv4 address it maps.
 * Undefined for anything else, an address with a zone id (`fe80::1%eth0`) included.
 */
export function canonicalIp(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return address; // isIP takes only the canonical dotted form (no leading zeros)
  if (family !== 6 || address.includes('%')) return undefined;
  let host: string;
  try {
    host = new URL(`http://[${address}]`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = IPV4_MAPPED.exec(host);
  if (!mapped) return host;
  const high = parseInt(mapped[1], 16);
  const low = parseInt(mapped[2], 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The range a pattern names (an address is its own /32 or /128), or undefined when it is not one. */
export function ipRangeOf(pattern: string): { address: string; prefix: number; family: IpFamily } | undefined {
  const slash = pattern.indexOf('/');
  const address = slash < 0 ? pattern : pattern.slice(0, slash);
  const family = ipFamilyOf(address);
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : pattern.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family };
}

/** A BlockList of the ranges `patterns` name, or undefined if one of them names none. */
export function ipBlockList(patterns: readonly string[]): BlockList | undefined {
  const list = new BlockList();
  for (const pattern of patterns) {
    const range = ipRangeOf(pattern);
    if (!range) return undefined;
    list.addSubnet(range.address, range.prefix, range.family);
  }
  return list;
}

/** Whether `address` (an IP literal; anything else is never inside) lies in one of `list`'s ranges. */
export function ipInList(list: BlockList, address: string): boolean {
  const family = ipFamilyOf(address);
  return family !== undefined && list.check(address, family);
}

/**
 * The /64 an IPv6 address lies in, as `2001:db8:1:2::/64`; undefined for anything else. A /64 is
 * what one site or one host is given, and it holds more addresses than any limit keyed by address
 * could count, so limits that count clients count an IPv6 client by its /64.
 */
export function ipv6Slash64(address: string): string | undefined {
  const ip = canonicalIp(address);
  if (ip === undefined || isIP(ip) !== 6) return undefined;
  const [head, tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${canonicalIp(`${groups.slice(0, 4).join(':')}::`)}/64`;
}

/**
 * Whom a limit keyed by client counts: the client's address, an IPv6 one by its /64 (a
 * link-local one's zone kept).
 */
export function clientBlock(address: string): string {
  const zone = address.indexOf('%');
  const ip = zone < 0 ? address : address.slice(0, zone);
  const block = ipv6Slash64(ip);
  return block === undefined ? address : block + (zone < 0 ? '' : address.slice(zone));
}
