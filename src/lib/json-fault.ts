/**
 * What is wrong with a JSON text JSON.parse refused, said without quoting it. JSON.parse's messages
 * carry an excerpt of the text (`Unexpected token 'h', "...": hunter2}" is not valid JSON`), and
 * a request body's excerpt may be a secret sent without quotes; an error message is shown to the
 * client and written to audit entries in clear. This names only the position where the text stops
 * being JSON. One pass with an explicit stack (no recursion, whatever the nesting).
 */
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, MINUS, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-chars.js';

const ESCAPES = '"\\/bfnrtu';
const LITERALS = ['true', 'false', 'null'];

/** "invalid character at position 30", "unexpected end of JSON input", or "invalid JSON" for a text JSON.parse accepts. */
export function jsonSyntaxFault(text: string): string {
  const at = faultPosition(text);
  if (at === undefined) return 'invalid JSON';
  return at >= text.length ? 'unexpected end of JSON input' : `invalid character at position ${at}`;
}

type Want = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close';

/**
 * The index of the first character that cannot continue a JSON text (`text.length` when it ends
 * too soon), or undefined for valid JSON. The scanners below return the index after what they
 * read, or a fault as `~index`.
 */
function faultPosition(text: string): number | undefined {
  const open: number[] = [];
  let want: Want = 'value';
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= text.length) return want === 'comma-or-close' && open.length === 0 ? undefined : text.length;
    const c = text.charCodeAt(i);
    switch (want) {
      case 'value-or-close':
      case 'key-or-close': {
        const close = want === 'key-or-close' ? CLOSE_OBJECT : CLOSE_ARRAY;
        if (c === close) {
          open.pop();
          i++;
          want = 'comma-or-close';
        } else {
          want = want === 'key-or-close' ? 'key' : 'value';
        }
        break;
      }
      case 'key': {
        if (c !== QUOTE) return i;
        const end = stringEnd(text, i);
        if (end < 0) return ~end;
        i = end;
        want = 'colon';
        break;
      }
      case 'colon':
        if (c !== COLON) return i;
        i++;
        want = 'value';
        break;
      case 'comma-or-close': {
        const top = open.at(-1);
        if (top === undefined) return i; // text after the value
        if (c === COMMA) {
          i++;
          want = top === OPEN_OBJECT ? 'key' : 'value';
        } else if (c === (top === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          open.pop();
          i++;
        } else {
          return i;
        }
        break;
      }
      case 'value': {
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          open.push(c);
          i++;
          want = c === OPEN_OBJECT ? 'key-or-close' : 'value-or-close';
          break;
        }
        const end = c === QUOTE ? stringEnd(text, i) : c === MINUS || isDigit(c) ? numberEnd(text, i) : literalEnd(text, i);
        if (end < 0) return ~end;
        i = end;
        want = 'comma-or-close';
        break;
      }
    }
  }
}

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

function stringEnd(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    if (i >= text.length) return ~text.length;
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return ~i;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    if (i + 1 >= text.length) return ~text.length;
    const escape = text[i + 1];
    if (!ESCAPES.includes(escape)) return ~(i + 1);
    if (escape !== 'u') {
      i += 2;
      continue;
    }
    for (let k = i + 2; k < i + 6; k++) {
      if (k >= text.length) return ~text.length;
      if (!isHex(text.charCodeAt(k))) return ~k;
    }
    i += 6;
  }
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  if (i >= text.length) return ~text.length;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else return ~i;
  if (text.charCodeAt(i) === 0x2e) {
    i = digitsEnd(text, i + 1);
    if (i < 0) return i;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS) i++;
    i = digitsEnd(text, i);
  }
  return i;
}

/** At least one digit from `i`. */
function digitsEnd(text: string, i: number): number {
  if (i >= text.length) return ~text.length;
  if (!isDigit(text.charCodeAt(i))) return ~i;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

function literalEnd(text: string, start: number): number {
  const word = LITERALS.find((w) => w.charCodeAt(0) === text.charCodeAt(start));
  if (word === undefined) return ~start;
  for (let k = 1; k < word.length; k++) {
    if (start + k >= text.length) return ~text.length;
    if (text[start + k] !== word[k]) return ~(start + k);
  }
  return start + word.length;
}
