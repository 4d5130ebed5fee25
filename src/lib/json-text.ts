/**
 * JSON text with numbers kept digit for digit (lib/json-number.ts). Both directions have a fast
 * path: a text holding no number that could need keeping is parsed by JSON.parse alone, and a
 * value holding no JsonNumber is written by JSON.stringify. The slow path parses with lossless-json
 * after JSON.parse has validated the text, so errors and what is accepted stay JSON.parse's.
 */
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { isDeepFrozen } from './immutable.js';
import { JsonNumber, isJsonNumber, jsonNumberOf } from './json-number.js';

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

/** The last of duplicate keys wins, as with JSON.parse. */
const lastWins = ({ newValue }: { newValue: unknown }): unknown => newValue;

/**
 * JSON.parse, keeping numbers digit for digit (JsonNumber where float64 would change them).
 * Throws JSON.parse's SyntaxError for invalid text. `__proto__` keys are own data properties and
 * the last of duplicate keys wins, as with JSON.parse.
 */
export function parseJson(text: string): unknown {
  const plain: unknown = JSON.parse(text);
  if (!mayNeedKeeping(text)) return plain;
  return losslessParse(text, null, { parseNumber: jsonNumberOf, onDuplicateKey: lastWins });
}

/** Deeply frozen values (lib/immutable.ts) already looked through: do they hold a JsonNumber? */
const frozenVerdicts = new WeakMap<object, boolean>();

/** True when a JsonNumber is anywhere in `value`. */
export function containsJsonNumber(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof JsonNumber) return true;
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

const KEEP_TEXT = [{ test: isJsonNumber, stringify: (v: unknown) => (v as JsonNumber).text }];

/** JSON.stringify (no replacer, no indentation), writing each JsonNumber's text as a bare number. */
export function stringifyJson(value: unknown): string {
  if (!containsJsonNumber(value)) return JSON.stringify(value);
  const text = losslessStringify(value, null, undefined, KEEP_TEXT);
  if (text === undefined) throw new TypeError('stringifyJson: the value has no JSON text');
  return text;
}

