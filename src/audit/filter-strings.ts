/**
 * String literals of the audit filter language, decoded as go-bexpr does (Go's strconv.Unquote):
 * a double-quoted string ends at the first `"` and takes Go's escapes; a backtick string is raw
 * (no escapes, carriage returns dropped). So `\"` cannot appear inside "...": use a backtick string.
 */
import { filterError } from './filter-error.js';

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
const HEX = /^[0-9A-Fa-f]+$/;

export interface Decoded {
  value: string;
  /** Offset just past the closing quote. */
  end: number;
}

/** One escape at src[i] === '\\' (inside a string that closes at `close`): its text and length. */
function escape(src: string, i: number, close: number): { text: string; length: number } {
  const c = src[i + 1];
  const simple = SIMPLE[c];
  if (simple !== undefined && i + 1 < close) return { text: simple, length: 2 };
  const hexLength = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  let code: number | undefined;
  let length = 0;
  if (hexLength > 0) {
    const digits = src.slice(i + 2, i + 2 + hexLength);
    length = 2 + hexLength;
    if (digits.length === hexLength && i + length <= close && HEX.test(digits)) code = parseInt(digits, 16);
  } else if (c >= '0' && c <= '7') {
    const digits = src.slice(i + 1, i + 4);
    length = 4;
    if (i + length <= close && /^[0-7]{3}$/.test(digits)) code = parseInt(digits, 8);
  }
  if (code === undefined) {
    if (c === undefined || i + 1 >= close) throw filterError(i, 'a string cannot contain \\" (use a `backtick` string)');
    throw filterError(i, `invalid escape "\\${c}" in string`);
  }
  // \x and octal escapes are bytes in Go: only ASCII bytes are characters on their own.
  if ((c === 'x' || hexLength === 0) && code > 0x7f) {
    throw filterError(i, 'byte escapes above \\x7f are not supported (write the character itself)');
  }
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw filterError(i, 'invalid Unicode escape in string');
  return { text: String.fromCodePoint(code), length };
}

export function readDoubleQuoted(src: string, start: number): Decoded {
  const close = src.indexOf('"', start + 1);
  if (close < 0) throw filterError(start, 'unterminated string');
  let value = '';
  for (let i = start + 1; i < close;) {
    const c = src[i];
    if (c === '\n') throw filterError(i, 'a line break inside "..." (use a `backtick` string)');
    if (c !== '\\') { value += c; i++; continue; }
    const e = escape(src, i, close);
    value += e.text;
    i += e.length;
  }
  return { value, end: close + 1 };
}

export function readRaw(src: string, start: number): Decoded {
  const close = src.indexOf('`', start + 1);
  if (close < 0) throw filterError(start, 'unterminated string');
  return { value: src.slice(start + 1, close).replaceAll('\r', ''), end: close + 1 };
}
