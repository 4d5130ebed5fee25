/** Tokens of the audit filter language (see filter.ts). Positions are 0-based character offsets. */
import { invalid, type SealtrailError } from '../errors/index.js';

export type TokenKind = 'ident' | 'string' | '==' | '!=' | '(' | ')' | '[' | ']' | ',' | 'end';

export interface Token {
  kind: TokenKind;
  /** Identifier name or the decoded string value. */
  text: string;
  pos: number;
}

export function filterError(pos: number, what: string): SealtrailError {
  return invalid(`invalid audit filter at offset ${pos}: ${what}`, 'invalid_audit_filter');
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

function readString(src: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const e = ESCAPES[src[i + 1]];
      if (e === undefined) throw filterError(i, `unknown escape "\\${src[i + 1] ?? ''}" in string`);
      value += e;
      i++;
    } else value += c;
  }
  throw filterError(start, 'unterminated string');
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '"') {
      const { value, end } = readString(src, i);
      tokens.push({ kind: 'string', text: value, pos: i });
      i = end;
    } else if (c === '=' || c === '!') {
      if (src[i + 1] !== '=') throw filterError(i, `unexpected "${c}" (did you mean "${c}="?)`);
      tokens.push({ kind: c === '=' ? '==' : '!=', text: c + '=', pos: i });
      i += 2;
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      tokens.push({ kind: c, text: c, pos: i });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], pos: i });
      i += m[0].length;
    } else {
      throw filterError(i, `unexpected character "${c}"`);
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}
