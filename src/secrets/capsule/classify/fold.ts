/**
 * What the detectors read instead of the text itself: the same text with each character that
 * stands for an ASCII one written as that one — a Latin letter with accents as the letter
 * (`José` as `Jose`), full-width forms as their ASCII (`１２３＠` as `123@`), decimal digits of
 * every script as `0`–`9`, Unicode dashes and minus signs as `-`, and Unicode spaces as a space.
 * Without it `José García`, an SSN typed with full-width digits or a card number copied with
 * no-break spaces passes every detector and is returned in clear through a redacting context.
 *
 * One UTF-16 code unit is replaced by one, so every offset found in the folded text is the same
 * offset in the original, and the hit covers the original characters. A line feed is never
 * written (scan.ts separates texts with them).
 */

/** Code unit → the ASCII code unit it is read as; 0 for one read as it is. */
let table: Uint16Array | undefined;

const DASHES = [0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63];
const SPACES = [0x00a0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x202f, 0x205f, 0x3000];
/** Letters without a decomposition that still read as one ASCII letter. */
const LETTERS: Record<string, string> = { 'ø': 'o', 'Ø': 'O', 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ı': 'i' };
const LATIN_RANGES: Array<[number, number]> = [[0x00c0, 0x024f], [0x1e00, 0x1eff]];
const ASCII_LETTER = /^[A-Za-z]$/;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

function buildTable(): Uint16Array {
  const t = new Uint16Array(0x10000);
  for (const [from, to] of LATIN_RANGES) {
    for (let c = from; c <= to; c++) {
      const base = String.fromCharCode(c).normalize('NFD')[0];
      if (ASCII_LETTER.test(base)) t[c] = base.charCodeAt(0);
    }
  }
  for (const [letter, ascii] of Object.entries(LETTERS)) t[letter.charCodeAt(0)] = ascii.charCodeAt(0);
  // Unicode encodes each script's decimal digits 0 to 9 in one run.
  for (let c = 0x80, zero = -1; c < 0xd800; c++) {
    if (!DECIMAL_DIGIT.test(String.fromCharCode(c))) continue;
    if (zero < 0 || c - zero > 9 || !DECIMAL_DIGIT.test(String.fromCharCode(c - 1))) zero = c;
    t[c] = 0x30 + (c - zero);
  }
  for (let c = 0xff01; c <= 0xff5e; c++) t[c] = c - 0xfee0;
  for (const c of DASHES) t[c] = 0x2d;
  for (const c of SPACES) t[c] = 0x20;
  return t;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** `text` as the detectors read it (the same length; the same string when it is all ASCII). */
export function foldForDetection(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  table ??= buildTable();
  const units = new Uint16Array(text.length);
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const folded = c < 0x80 ? 0 : table[c];
    units[i] = folded === 0 ? c : folded;
    if (folded !== 0) changed = true;
  }
  return changed ? Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le') : text;
}
