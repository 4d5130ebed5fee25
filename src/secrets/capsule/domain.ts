/**
 * A capsule domain is one mount of the engine: its id (`dm-` + 11 base62 characters) is derived
 * from the mount's uuid, so it is stable across restarts and unique per mount.
 */
import { sha256 } from './crypto.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of the leading bytes of `bytes` read as a big integer, `length` characters. */
export function base62(bytes: Uint8Array, length: number): string {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

export function domainIdForMount(mountUuid: string): string {
  return 'dm-' + base62(sha256(`sealtrail-capsule-domain:${mountUuid}`), 11);
}

/** How contexts are named in log records: `dm-xxx::sensitive`, as the seed shows. */
export function qualifiedName(domain: string, name: string): string {
  return `${domain}::${name}`;
}
