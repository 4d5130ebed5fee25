/**
 * The Vault JSON line, byte for byte what Go's encoding/json writes for Vault's entry structs:
 * - struct fields in declaration order (the insertion order entry.ts builds), maps (data, metadata,
 *   headers and every object nested in data) with keys sorted by UTF-8 byte order;
 * - strings escaped as Go does: `"` `\\` `\b` `\f` `\n` `\r` `\t`, other controls as \u00xx,
 *   `<` `>` `&` as \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029, invalid UTF-16 (a lone
 *   surrogate, Go's invalid UTF-8) as \ufffd;
 * - numbers as float64 (JavaScript's shortest form equals Go's), except that a number a client
 *   sent keeps its literal text (a JsonNumber, as Vault's json.Number); binary as base64, no spaces;
 * - one entry per line, newline-terminated (json.Encoder).
 */
import { flatten } from '../lib/flat-string.js';
import { isDeepFrozen } from '../lib/immutable.js';
import { JsonNumber } from '../lib/json-number.js';
import { rfc3339Nano } from '../lib/time.js';
import type { VaultEntry } from './entry.js';
import { binaryToBase64 } from './hash.js';

/** Which fields of a struct are themselves structs (written in field order, not sorted). */
interface StructSchema { readonly [field: string]: StructSchema }

const ENTRY_SCHEMA: StructSchema = {
  auth: {},
  request: { namespace: {} },
  response: { auth: {}, secret: {}, wrap_info: {} },
};

const HEX = '0123456789abcdef';
const SHORT: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/**
 * Anything but printable ASCII that Go leaves alone. A conservative test (non-ASCII text matches
 * too, and the loop below passes it through), but a negated class of ASCII ranges is the fastest
 * scan V8 has, and hashes, ids and paths are plain ASCII.
 */
const NOT_PLAIN_ASCII = /[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]/;

/** A JSON string as Go writes it: `"` + escapeGo(s) + `"`. */
export function quoteGo(s: string): string {
  return '"' + escapeGo(s) + '"';
}

/**
 * The body of a Go JSON string, without the quotes: `s` itself when nothing needs escaping (the
 * common case, decided by one native scan). Hot paths put the quotes in their literal text, so a
 * value adds one piece to the line instead of three (lib/flat-string.ts).
 */
export function escapeGo(s: string): string {
  const first = s.search(NOT_PLAIN_ASCII);
  if (first === -1) return s;
  if (s.length >= LONG_STRING) return escapeLongGo(s, first);
  return escapeGoLoop(s, first);
}

/** escapeGo one code unit at a time, from `first`, the first that may need escaping. */
function escapeGoLoop(s: string, first: number): string {
  let out = '';
  let start = 0;
  for (let i = first; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      esc = SHORT[c] ?? `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      esc = `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: written as is (UTF-8 on output)
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start);
}

/** From this length on, escaping is left to native code (escapeLongGo). */
const LONG_STRING = 256;

/**
 * escapeGo of a long string: JSON.stringify escapes what both JSON writers escape (quote,
 * backslash, controls, with the same short forms and lower-case hex), then native replaces add
 * Go's HTML-safe escapes. A request key of a million `<` took ~350 ms one character at a time and
 * takes less than half that here. Text with a lone surrogate, which Go writes as U+FFFD and
 * JSON.stringify as an escape, keeps the loop.
 */
function escapeLongGo(s: string, first: number): string {
  if (s === lastLong) return lastLongEscaped;
  let out: string;
  if (!isWellFormed(s)) {
    out = escapeGoLoop(s, first);
  } else {
    out = JSON.stringify(s).slice(1, -1);
    // split + join: 4-5 times faster than replaceAll when the character is frequent.
    for (const [c, esc] of HTML_SAFE) if (out.includes(c)) out = out.split(c).join(esc);
  }
  if (s.length >= MEMO_LENGTH) {
    lastLong = s;
    lastLongEscaped = out;
  }
  return out;
}
/**
 * The last very long string escaped, and its escape: a request's key is written in its request and
 * response entries on every device, four escapes of one string with a file device and the journal.
 */
const MEMO_LENGTH = 65_536;
let lastLong: string | undefined;
let lastLongEscaped = '';
/** String.prototype.isWellFormed (ES2024, native in Node 20): no lone surrogate. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
const HTML_SAFE: readonly (readonly [string, string])[] = [['<', '\\u003c'], ['>', '\\u003e'], ['&', '\\u0026'], ['\u2028', '\\u2028'], ['\u2029', '\\u2029']];

/** Code-unit order adjusted to code-point (= UTF-8 byte) order: surrogates sort above U+FFFF. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

const ABOVE_SURROGATES = /[\ud800-\uffff]/;

/** Sorts map keys in UTF-8 byte order (the default sort agrees unless a key has a char >= U+D800). */
export function sortKeys(keys: string[]): string[] {
  for (const k of keys) if (ABOVE_SURROGATES.test(k)) return keys.sort(compareUtf8);
  return keys.sort();
}

/** Go's float64 encoding; JavaScript's shortest round-trip form matches it, including exponents. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The text of deeply frozen maps and lists (lib/immutable.ts), written once per value. */
const frozenText = new WeakMap<object, string>();

/** Any value inside a map (data, metadata, headers): maps sorted, lists in order. */
export function writeValue(v: unknown): string {
  if (typeof v === 'object' && v !== null && isDeepFrozen(v)) {
    let text = frozenText.get(v);
    if (text === undefined) frozenText.set(v, (text = flatten(writeUnfrozen(v))));
    return text;
  }
  return writeUnfrozen(v);
}

function writeUnfrozen(v: unknown): string {
  switch (typeof v) {
    case 'string': return quoteGo(v);
    case 'number': return formatNumber(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof JsonNumber) return v.text;
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + writeValue(v[i] === undefined ? null : v[i]);
        return out + ']';
      }
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `"${binaryToBase64(v)}"`;
      if (v instanceof Date) return `"${rfc3339Nano(BigInt(v.getTime()) * 1_000_000n)}"`;
      const obj = v as Record<string, unknown>;
      const keys = sortKeys(Object.keys(obj));
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = obj[k];
        if (x === undefined || typeof x === 'function') continue;
        out += (first ? '' : ',') + quoteGo(k) + ':' + writeValue(x);
        first = false;
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

function writeStruct(obj: object, schema: StructSchema): string {
  const rec = obj as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(rec)) {
    const v = rec[k];
    if (v === undefined) continue;
    const sub = schema[k];
    out += (first ? '"' : ',"') + k + '":' + (sub && typeof v === 'object' && v !== null ? writeStruct(v, sub) : writeValue(v));
    first = false;
  }
  return out + '}';
}

/** The JSON of one of an entry's blocks (struct fields in order, maps sorted). */
export function writeBlock(block: object, name: 'auth' | 'request' | 'response'): string {
  return writeStruct(block, ENTRY_SCHEMA[name]);
}

/** Everything between the time and the auth block, per entry type. */
const AFTER_TIME = { request: '","type":"request","auth":', response: '","type":"response","auth":' } as const;

/**
 * One Vault JSON audit line (newline-terminated), assembled from already serialized blocks:
 * `{"time","type","auth","request","response"?,"error"?}` in Go's field order. `time` is
 * rfc3339Nano's text, which never needs escaping. Every fixed run of the line is one literal, so
 * the line is a handful of pieces and cheap to write out (lib/flat-string.ts).
 */
export function formatJsonFromBlocks(time: string, type: VaultEntry['type'], auth: string, request: string, response: string | undefined, error: string | undefined): string {
  let out = '{"time":"' + time + AFTER_TIME[type] + auth + ',"request":' + request;
  if (response !== undefined) out += ',"response":' + response;
  if (error) out += ',"error":"' + escapeGo(error) + '"';
  return out + '}\n';
}
