/**
 * Tokens of the audit filter language (go-bexpr's grammar, see filter.ts). Positions are 0-based
 * character offsets. Each token records whether whitespace preceded it, because bexpr's keyword
 * operators (`and`, `in`, `is empty`...) must stand apart from their operands.
 */
import { filterError } from './filter-error.js';
import { readDoubleQuoted, readRaw } from './filter-strings.js';

export type TokenKind = 'word' | 'string' | 'raw' | 'number' | '==' | '!=' | '(' | ')' | '[' | ']' | ',' | 'end';

export interface Token {
  kind: TokenKind;
  /** A word or number as written, or a string's decoded value. */
  text: string;
  /** For a double-quoted string shaped as a JSON pointer (`"/a/b"`): its decoded segments. */
  pointer?: string[];
  pos: number;
  spaceBefore: boolean;
}

/** Longest filter expression accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;

// bexpr: Identifier <- [a-zA-Z] [a-zA-Z0-9_/]*, then `.ident` or `.digits` parts.
const WORD = /[A-Za-z][A-Za-z0-9_/]*(?:\.(?:[A-Za-z][A-Za-z0-9_/]*|[0-9]+))*/y;
// bexpr: "-"? ("0" / [1-9][0-9]*) ("." [0-9]+)?, which must end at whitespace, ")" or the end.
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/y;
// bexpr: '"' ('/' [\pL\pN-_.~:|]+)* '"' is a JSON pointer selector (its segments ~-decoded).
const POINTER = /^(?:\/[\p{L}\p{N}\-_.~:|]+)*$/u;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function pointerSegments(text: string): string[] | undefined {
  if (!POINTER.test(text)) return undefined;
  if (text === '') return [];
  return text.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function match(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(src)?.[0];
}

export function tokenize(src: string): Token[] {
  if (src.length > MAX_FILTER_LENGTH) {
    throw filterError(MAX_FILTER_LENGTH, `expression longer than ${MAX_FILTER_LENGTH} characters`);
  }
  const tokens: Token[] = [];
  let i = 0;
  let spaceBefore = true;
  const push = (t: Omit<Token, 'spaceBefore'>, end: number): void => {
    tokens.push({ ...t, spaceBefore });
    spaceBefore = false;
    i = end;
  };
  while (i < src.length) {
    const c = src[i];
    if (isSpace(c)) { spaceBefore = true; i++; continue; }
    if (c === '"') {
      const { value, end } = readDoubleQuoted(src, i);
      // The pointer shape is judged on the text as written, as bexpr's grammar does.
      push({ kind: 'string', text: value, pointer: pointerSegments(src.slice(i + 1, end - 1)), pos: i }, end);
    } else if (c === '`') {
      const { value, end } = readRaw(src, i);
      push({ kind: 'raw', text: value, pos: i }, end);
    } else if (c === '=' || c === '!') {
      if (src[i + 1] !== '=') throw filterError(i, `unexpected "${c}" (did you mean "${c}="?)`);
      push({ kind: c === '=' ? '==' : '!=', text: c + '=', pos: i }, i + 2);
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      push({ kind: c, text: c, pos: i }, i + 1);
    } else if (isDigit(c) || (c === '-' && isDigit(src[i + 1] ?? ''))) {
      const n = match(NUMBER, src, i);
      const end = i + (n?.length ?? 0);
      if (n === undefined || (end < src.length && !isSpace(src[end]) && src[end] !== ')')) {
        throw filterError(i, 'invalid number (quote values that are not plain numbers)');
      }
      push({ kind: 'number', text: n, pos: i }, end);
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      const w = match(WORD, src, i)!;
      push({ kind: 'word', text: w, pos: i }, i + w.length);
    } else {
      throw filterError(i, `unexpected character "${c}" (quote values containing it)`);
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length, spaceBefore: true });
  return tokens;
}
