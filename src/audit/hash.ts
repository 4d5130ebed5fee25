/**
 * The hash walker: `hmac-sha256:` + hex(HMAC-SHA256(key = salt, message = value)), as Vault's
 * `salt.GetIdentifiedHMAC`. Each device has its own salt, made a KeyedHmac once.
 *
 * Data maps are walked in one recursive copy-and-hash pass that never touches its input:
 * - every string leaf is hashed, unless its nearest enclosing map key is exempt (the mount's
 *   audit_non_hmac_*_keys); a list inherits the verdict of the key it sits under, a nested map is
 *   judged by its own keys;
 * - binary values (Uint8Array/Buffer) are base64-encoded first (what Vault's JSON copy does to
 *   []byte), then hashed like strings; a time value (Date, Go's time.Time) becomes its RFC 3339
 *   text and is not hashed;
 * - numbers (a JsonNumber too, which keeps a number's literal text), booleans and null are kept;
 *   map keys are never hashed.
 *
 * A map that is deeply frozen (lib/immutable.ts: a cached KV record, a version view) can never
 * change, so its hashed copy is computed once per salt and exemption list and then shared — also
 * frozen, so the formatter can keep its text too. Nothing is kept for values that can change, and
 * nothing is keyed by a value's content: a lookup hits only for the very object hashed before.
 */
import { deepFreeze, isDeepFrozen } from '../lib/immutable.js';
import { KeyedHmac } from '../lib/keyed-hmac.js';
import { JsonNumber } from '../lib/json-number.js';
import { rfc3339Nano } from '../lib/time.js';
import type { EntryHasher } from './entry.js';
import { setOwn } from '../lib/safe-object.js';

export const HMAC_PREFIX = 'hmac-sha256:';

/** One device's salt, ready to HMAC many values. */
export interface Salt {
  hash(value: string): string;
}

export function createSalt(salt: string): Salt {
  const mac = new KeyedHmac(Buffer.from(salt, 'utf8'));
  return { hash: (value) => HMAC_PREFIX + mac.hex(value) };
}

export function binaryToBase64(v: ArrayBufferView | ArrayBuffer): string {
  return ArrayBuffer.isView(v)
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
    : Buffer.from(v).toString('base64');
}

/** Hashed copies of deeply frozen maps, for one salt: source map → (exemption set, copy). */
export type FrozenCopies = WeakMap<object, { exemptKeys: ReadonlySet<string>; copy: Record<string, unknown> }>;

/** Walks `value`, returning a hashed copy; `exempt` is the verdict of the nearest enclosing key. */
function walk(value: unknown, exempt: boolean, exemptKeys: ReadonlySet<string>, salt: Salt, frozen?: FrozenCopies): unknown {
  switch (typeof value) {
    case 'string':
      return exempt ? value : salt.hash(value);
    case 'object': {
      if (value === null || value instanceof JsonNumber) return value;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = walk(value[i], exempt, exemptKeys, salt, frozen);
        return out;
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
        const b64 = binaryToBase64(value);
        return exempt ? b64 : salt.hash(b64);
      }
      // Vault's walker replaces a time value by its RFC 3339 text and skips it: never hashed.
      if (value instanceof Date) return rfc3339Nano(BigInt(value.getTime()) * 1_000_000n);
      const src = value as Record<string, unknown>;
      const memoize = frozen !== undefined && isDeepFrozen(src);
      if (memoize) {
        const known = frozen.get(src);
        if (known && known.exemptKeys === exemptKeys) return known.copy;
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(src)) setOwn(out, k, walk(src[k], exemptKeys.has(k), exemptKeys, salt, frozen));
      if (memoize) frozen.set(src, { exemptKeys, copy: deepFreeze(out) });
      return out;
    }
    default:
      return value;
  }
}

const exemptSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function exemptSet(keys: readonly string[]): ReadonlySet<string> {
  let set = exemptSets.get(keys);
  if (!set) {
    set = new Set(keys);
    exemptSets.set(keys, set);
  }
  return set;
}

/**
 * Hashes a data map (see the rules above). Returns a new map, or — for a frozen map seen before
 * with the same `frozen` memo — the frozen copy made then.
 */
export function hashData(data: Readonly<Record<string, unknown>>, exemptKeys: readonly string[], salt: Salt, frozen?: FrozenCopies): Record<string, unknown> {
  return walk(data, false, exemptSet(exemptKeys), salt, frozen) as Record<string, unknown>;
}

export interface HasherOptions {
  /** hmac_accessor (default true): hash token accessors too. */
  hmacAccessor: boolean;
  /** log_raw: hash nothing. */
  raw: boolean;
}

function copyHeaders(h: Readonly<Record<string, readonly string[]>>, map: (name: string, v: string) => string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(h)) setOwn(out, name, h[name].map((v) => map(name, v)));
  return out;
}

/** `salt.hash` remembering its last value: the same token or accessor comes back entry after entry. */
export function memoizedHash(salt: Salt): (value: string) => string {
  let lastIn = '';
  let lastOut = '';
  return (value) => {
    if (value !== lastIn || lastOut === '') {
      lastOut = salt.hash(value);
      lastIn = value;
    }
    return lastOut;
  };
}

/** The EntryHasher a device uses to build its entries. */
export function createEntryHasher(salt: Salt, opts: HasherOptions): EntryHasher {
  if (opts.raw) {
    const same = (v: string) => v;
    return {
      token: same,
      accessor: same,
      // The formatter only reads the map, so log_raw can share it instead of copying.
      data: (d) => d as Record<string, unknown>,
      headers: (h) => copyHeaders(h, (_n, v) => v),
    };
  }
  // A token and its accessor appear twice per entry (auth and request) and again in the response
  // entry: remembering the last one halves those HMACs without keeping a cache of secrets.
  const token = memoizedHash(salt);
  const accessor = memoizedHash(salt);
  const frozen: FrozenCopies = new WeakMap();
  return {
    token,
    accessor: opts.hmacAccessor ? accessor : (v) => v,
    data: (d, exempt) => hashData(d, exempt, salt, frozen),
    headers: (h, hmac) => copyHeaders(h, (n, v) => (hmac.has(n) ? salt.hash(v) : v)),
  };
}
