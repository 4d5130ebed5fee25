/**
 * The slow path of parseJson (lib/json-text.ts), for valid JSON text that may hold numbers float64
 * would change. One linear scan finds the number literals outside strings (a string is skipped with
 * a native search for its closing quote); each whose text float64 changes is written back into the
 * text as a string holding a marker, JSON.parse reads that text, and the markers are swapped for
 * JsonNumbers. So the cost stays a small multiple of JSON.parse whatever the body holds (a parser
 * in JavaScript reading 32 MiB of strings character by character takes tens of seconds).
 *
 * A marker is U+0000 and a random UUID drawn for this one call, then the number's index: no string
 * of the text can equal one, and none is ever written out (every marker is replaced).
 */
import { randomUUID } from 'node:crypto';
import { BACKSLASH, QUOTE } from './json-chars.js';
import { JsonNumber } from './json-number.js';
import { setOwn } from './safe-object.js';

/** The index of the quote closing the string opened at `open` (the text is valid JSON). */
export function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

/** Digits, sign, point and exponent: the characters of a number literal. */
function inNumber(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

/** Puts the kept numbers where their markers are, in the value JSON.parse just made (ours to change). */
function restore(value: unknown, marker: string, kept: readonly JsonNumber[]): unknown {
  if (typeof value === 'string') {
    return value.charCodeAt(0) === 0 && value.startsWith(marker) ? kept[Number(value.slice(marker.length))] : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restore(value[i], marker, kept);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const was = obj[key];
    const now = restore(was, marker, kept);
    if (now !== was) setOwn(obj, key, now);
  }
  return obj;
}

/**
 * `text` (valid JSON, already parsed by JSON.parse into `plain`) with every number whose text
 * float64 changes as a JsonNumber; `plain` itself when there is none.
 */
export function parseKeepingNumbers(text: string, plain: unknown): unknown {
  const kept: JsonNumber[] = [];
  const id = randomUUID();
  // One piece per number: the text before it with its marker appended (a string concatenation
  // V8 makes cheaply), joined once at the end, since JSON.parse reads a flat string many times
  // faster than a chain of slices.
  const opening = '"\\u0000' + id + ':';
  const pieces: string[] = [];
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    let end = i + 1;
    let digitsOnly = c !== 0x2d;
    for (let d = text.charCodeAt(end); end < text.length && inNumber(d); d = text.charCodeAt(++end)) {
      if (d < 0x30 || d > 0x39) digitsOnly = false;
    }
    // An integer of at most 15 digits (JSON allows no leading zero) is its own float64 text.
    if (digitsOnly && end - i <= 15) {
      i = end - 1;
      continue;
    }
    const literal = text.slice(i, end);
    if (String(Number(literal)) !== literal) {
      pieces.push(text.slice(copied, i) + opening + kept.length + '"');
      // JSON.parse has read the text, and a run of number characters there is exactly one number.
      kept.push(JsonNumber.ofValidText(literal));
      copied = end;
    }
    i = end - 1;
  }
  if (kept.length === 0) return plain;
  pieces.push(text.slice(copied));
  return restore(JSON.parse(pieces.join('')), '\u0000' + id + ':', kept);
}
