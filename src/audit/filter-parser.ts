/**
 * Recursive-descent parser for go-bexpr's grammar, over the five audit filter fields:
 *
 *   Or    <- And ("or" And)*             And <- Not ("and" Not)*
 *   Not   <- "not" Not / "(" Or ")" / Match
 *   Match <- Selector ("==" / "!=" / "contains" / "not contains" / "matches" / "not matches") Value
 *          / Selector "is" ["not"] "empty"
 *          / Value ("in" / "not in") Selector
 *
 * A selector is a field name or a JSON pointer in double quotes (`"/path"`). A value is a
 * double-quoted or backtick string, a number, or an unquoted word (`kv`, `auth/approle/login`),
 * which stands for its own text. Keywords must be set off by whitespace, as in bexpr.
 */
import { filterError } from './filter-error.js';
import { compileFilterRegex } from './filter-regex.js';
import type { Token } from './filter-lexer.js';
import { FILTER_FIELDS, type FilterField, type FilterNode } from './filter-types.js';

/** Deepest nesting of parentheses and `not` accepted. */
export const MAX_FILTER_DEPTH = 32;

const FIELDS: ReadonlySet<string> = new Set(FILTER_FIELDS);

/** A word of the expression in an error message, cut short. */
function shown(text: string): string {
  return `"${text.length > 40 ? `${text.slice(0, 40)}...` : text}"`;
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of expression';
  if (t.kind === 'string' || t.kind === 'raw') return 'a string';
  if (t.kind === 'number') return 'a number';
  return shown(t.text);
}

function isValue(t: Token): boolean {
  return t.kind === 'word' || t.kind === 'string' || t.kind === 'raw' || t.kind === 'number';
}

/** A value's text. A JSON-pointer-shaped string is a selector used as a value: bexpr takes its
 *  segments joined by "/", without the leading slash. */
function valueOf(t: Token): string {
  return t.pointer ? t.pointer.join('/') : t.text;
}

export class FilterParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(ahead = 0): Token { return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]; }
  private next(): Token { return this.tokens[this.i++]; }
  private isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && t.text === word;
  }

  /** Consumes keyword `word`, which must be followed by whitespace (and preceded, unless `lead`). */
  private keyword(word: string, lead = false): void {
    const t = this.next();
    if (t.kind !== 'word' || t.text !== word) throw filterError(t.pos, `expected "${word}", found ${describe(t)}`);
    if (!lead && !t.spaceBefore) throw filterError(t.pos, `expected whitespace before "${word}"`);
    const after = this.peek();
    if (!after.spaceBefore && word !== 'empty') throw filterError(after.pos, `expected whitespace after "${word}"`);
  }

  parse(): FilterNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw filterError(t.pos, `unexpected ${describe(t)}`);
    return node;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or')) { this.keyword('or'); left = { op: 'or', left, right: this.and() }; }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord('and')) { this.keyword('and'); left = { op: 'and', left, right: this.unary() }; }
    return left;
  }

  private nested<T>(pos: number, inner: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH) throw filterError(pos, `nested deeper than ${MAX_FILTER_DEPTH}`);
    const result = inner();
    this.depth--;
    return result;
  }

  private unary(): FilterNode {
    const t = this.peek();
    // `not` opens a negation unless it is an unquoted value on the left of `in`.
    if (this.isWord('not') && !this.isWord('in', 1)) {
      this.keyword('not', true);
      return this.nested(t.pos, () => ({ op: 'not', expr: this.unary() }));
    }
    if (t.kind === '(') {
      this.next();
      const inner = this.nested(t.pos, () => this.or());
      const close = this.next();
      if (close.kind !== ')') throw filterError(close.pos, `expected ")", found ${describe(close)}`);
      return inner;
    }
    return this.match();
  }

  /** The field a selector token names. */
  private selector(t: Token): FilterField {
    let name: string | undefined;
    if (t.kind === 'word') name = t.text;
    else if (t.kind === 'string' && t.pointer) name = t.pointer.length === 1 ? t.pointer[0] : t.pointer.map((s) => `/${s}`).join('');
    else throw filterError(t.pos, `expected a field name, found ${describe(t)}`);
    if (!FIELDS.has(name)) {
      throw filterError(t.pos, `unknown field ${shown(name)} (fields: ${FILTER_FIELDS.join(', ')})`);
    }
    return name as FilterField;
  }

  private value(what: string): string {
    const t = this.next();
    if (!isValue(t)) throw filterError(t.pos, `expected ${what}, found ${describe(t)}`);
    return valueOf(t);
  }

  private negatedIf(negated: boolean, node: FilterNode): FilterNode {
    return negated ? { op: 'not', expr: node } : node;
  }

  private match(): FilterNode {
    const first = this.next();
    if (!isValue(first)) throw filterError(first.pos, `expected a comparison, found ${describe(first)}`);
    // Value ("in" / "not in") Selector, or the list form field in ["a", "b"].
    const notIn = this.isWord('not') && this.isWord('in', 1);
    if (this.isWord('in') || notIn) {
      if (notIn) this.keyword('not');
      this.keyword('in');
      if (this.peek().kind === '[') return this.negatedIf(notIn, { op: 'oneOf', field: this.selector(first), values: this.list() });
      return this.negatedIf(notIn, { op: 'contains', field: this.selector(this.next()), value: valueOf(first) });
    }
    // A quoted value first, compared with a field: "v" == field.
    if ((first.kind === 'string' && !first.pointer || first.kind === 'raw') && (this.peek().kind === '==' || this.peek().kind === '!=')) {
      const op = this.next().kind === '==' ? 'eq' : 'ne';
      return { op, field: this.selector(this.next()), value: first.text };
    }
    const field = this.selector(first);
    const t = this.peek();
    if (t.kind === '==' || t.kind === '!=') {
      this.next();
      return { op: t.kind === '==' ? 'eq' : 'ne', field, value: this.value('a value') };
    }
    if (this.isWord('is')) {
      this.keyword('is');
      const negated = this.isWord('not');
      if (negated) this.keyword('not');
      this.keyword('empty');
      return this.negatedIf(negated, { op: 'empty', field });
    }
    const negated = this.isWord('not');
    if (negated) this.keyword('not');
    if (this.isWord('contains')) {
      this.keyword('contains');
      return this.negatedIf(negated, { op: 'contains', field, value: this.value('a value') });
    }
    if (this.isWord('matches')) {
      this.keyword('matches');
      const at = this.peek().pos;
      return this.negatedIf(negated, { op: 'matches', field, re: compileFilterRegex(this.value('a regular expression'), at) });
    }
    const verb = this.peek();
    throw filterError(verb.pos, `expected an operator (==, !=, is empty, contains, matches), found ${describe(verb)}`);
  }

  private list(): string[] {
    this.next();
    const values: string[] = [];
    if (this.peek().kind === ']') { this.next(); return values; }
    for (;;) {
      values.push(this.value('a value'));
      const t = this.next();
      if (t.kind === ']') return values;
      if (t.kind !== ',') throw filterError(t.pos, `expected "," or "]", found ${describe(t)}`);
    }
  }
}
