/** Identifier generation. Randomness comes from node:crypto's CSPRNG. */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

export function uuid(): string {
  return randomUUID();
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// The random bits of UUIDv7s come from a pooled CSPRNG buffer: one call into OpenSSL serves 409
// ids (a call costs microseconds), and every id still takes fresh CSPRNG bytes used once.
const V7_RANDOM_BYTES = 10;
const V7_POOL_BYTES = 4096;
let v7Pool = Buffer.alloc(0);
let v7Pos = V7_POOL_BYTES;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in ms, then 74 random bits. Ids made later
 * sort later, so an index of them grows at its end instead of at random places.
 */
export function uuidV7(nowMs: number): string {
  if (v7Pos + V7_RANDOM_BYTES > V7_POOL_BYTES) {
    v7Pool = randomFillSync(Buffer.allocUnsafeSlow(V7_POOL_BYTES));
    v7Pos = 0;
  }
  const r = v7Pool;
  const p = v7Pos;
  v7Pos += V7_RANDOM_BYTES;
  const time = (Math.max(0, Math.floor(nowMs)) % 2 ** 48).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-${HEX[0x70 | (r[p] & 0x0f)]}${HEX[r[p + 1]]}-${HEX[0x80 | (r[p + 2] & 0x3f)]}${HEX[r[p + 3]]}-`
    + `${HEX[r[p + 4]]}${HEX[r[p + 5]]}${HEX[r[p + 6]]}${HEX[r[p + 7]]}${HEX[r[p + 8]]}${HEX[r[p + 9]]}`;
}

/**
 * A request's id (Vault's `request_id`, AWS's `x-amzn-RequestId`): a UUIDv7, so the journal's
 * index of request ids grows at its end as requests arrive.
 */
export function newRequestId(): string {
  return uuidV7(Date.now());
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` has a UUID's shape (any version, either case). */
export function isUuid(text: string): boolean {
  return UUID_SHAPE.test(text);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string of `length` characters (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const buf = randomBytes(length * 2);
    for (let i = 0; i < buf.length && out.length < length; i++) {
      const b = buf[i] & 0x3f;
      if (b < 62) out += BASE62[b];
    }
  }
  return out;
}
