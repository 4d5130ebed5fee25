/**
 * JSON text with numbers kept digit for digit (lib/json-number.ts). Both directions have a fast
 * path: a text holding no number that could need keeping is parsed by JSON.parse alone, and a
 * value holding no JsonNumber is written by JSON.stringify. Both paths parse with JSON.parse, so
 * errors and what is accepted stay JSON.parse's (the slow path: lib/json-parse-kept.ts); the slow
 * writer writes only the maps and lists holding a JsonNumber itself, the rest with JSON.stringify.
 */
import { isDeepFrozen } from './immutable.js';
import { JsonNumber } from './json-number.js';
import { parseKeepingNumbers } from './json-parse-kept.js';
import { mayHoldLoneSurrogate, replaceLoneSurrogates } from './well-formed.js';

/**
 * True when `text` may hold a number that float64 does not keep. Only a number with 16 or more
 * digits, an exponent, a fraction ending in 0 or starting with six 0s, or `-0` can change through
 * float64 (numbers of up to 15 significant digits round-trip, and JavaScript writes them the same
 * way unless they need an exponent: at 1e21 and above, which takes 22 digits, or below 1e-6).
 * Matches inside strings are false positives: they only cost the slow path.
 *
 * RISKY says exactly that; QUICK is a looser test that starts every alternative with one class
 * (so V8 skips to candidates fast) and rules out most bodies before RISKY runs.
 */
const QUICK = /[\d.-](?:[\d.]{15}|[eE]|\d*0(?!\d)|0{6}|0(?![.\d]))/;
const RISKY = /\d(?:[\d.]{15}|[eE])|\.(?:\d*0(?!\d)|0{6})|-0(?![.\d])/;

export function mayNeedKeeping(text: string): boolean {
  return QUICK.test(text) && RISKY.test(text);
}

/**
 * JSON.parse, keeping numbers digit for digit (JsonNumber where float64 would change them).
 * Throws JSON.parse's SyntaxError for invalid text. `__proto__` keys are own data properties and
 * the last of duplicate keys wins, as with JSON.parse (which does the parsing on both paths). A lone
 * surrogate (`"\ud800"`) is read as U+FFFD, as Go reads it (lib/well-formed.ts).
 */
export function parseJson(text: string): unknown {
  const plain: unknown = JSON.parse(text);
  const parsed = mayNeedKeeping(text) ? parseKeepingNumbers(text, plain) : plain;
  return mayHoldLoneSurrogate(text) ? replaceLoneSurrogates(parsed) : parsed;
}

/**
 * A value already held as JSON text (a journal record in an answer), which stringifyJson writes
 * as is: no parse, no second serialization, whatever the text holds. The text must be valid JSON.
 * JSON.stringify, which does not know it, gets the parsed value (toJSON).
 */
export class RawJson {
  constructor(readonly text: string) {
    Object.freeze(this);
  }

  toJSON(): unknown {
    return parseJson(this.text);
  }
}

/** Deeply frozen values (lib/immutable.ts) already looked through: do they hold a JsonNumber? */
const frozenVerdicts = new WeakMap<object, boolean>();

/** True when a JsonNumber (or a RawJson) is anywhere in `value`. */
export function containsJsonNumber(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof JsonNumber || value instanceof RawJson) return true;
  const frozen = isDeepFrozen(value);
  if (frozen) {
    const known = frozenVerdicts.get(value);
    if (known !== undefined) return known;
  }
  let found = false;
  if (Array.isArray(value)) {
    for (const item of value) if ((found = containsJsonNumber(item))) break;
  } else if (!ArrayBuffer.isView(value)) {
    for (const key of Object.keys(value)) if ((found = containsJsonNumber((value as Record<string, unknown>)[key]))) break;
  }
  if (frozen) frozenVerdicts.set(value, found);
  return found;
}

/**
 * Adds to `holders` every map and list in `value` that holds a JsonNumber, however deep; true when
 * `value` holds one. A value with its own toJSON (a Date, a Buffer) is left to JSON.stringify.
 */
function markHolders(value: unknown, holders: Set<object>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof JsonNumber || value instanceof RawJson) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const frozen = isDeepFrozen(value);
  if (frozen && frozenVerdicts.get(value) === false) return false;
  let found = false;
  if (Array.isArray(value)) {
    for (const item of value) if (markHolders(item, holders)) found = true;
  } else if (!ArrayBuffer.isView(value)) {
    for (const key of Object.keys(value)) if (markHolders((value as Record<string, unknown>)[key], holders)) found = true;
  }
  if (found) holders.add(value);
  if (frozen) frozenVerdicts.set(value, found);
  return found;
}

/**
 * JSON.stringify's text, except that a JsonNumber is its literal text: only the maps and lists that
 * hold one are written here, everything else (most of a large value) by JSON.stringify.
 */
function writeHolding(value: unknown, holders: ReadonlySet<object>): string | undefined {
  if (value instanceof JsonNumber || value instanceof RawJson) return value.text;
  if (typeof value !== 'object' || value === null || !holders.has(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (writeHolding(value[i], holders) ?? 'null');
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(obj)) {
    const text = writeHolding(obj[key], holders);
    if (text === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + text;
  }
  return out + '}';
}

/** The maps and lists holding a JsonNumber, for one stringifyJson call (which never re-enters). */
const holders = new Set<object>();

/** JSON.stringify (no replacer, no indentation), writing each JsonNumber's text as a bare number and each RawJson's as is. */
export function stringifyJson(value: unknown): string {
  if (!containsJsonNumber(value)) return JSON.stringify(value);
  try {
    markHolders(value, holders);
    return writeHolding(value, holders)!;
  } finally {
    holders.clear();
  }
}
