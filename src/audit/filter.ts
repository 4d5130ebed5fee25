/**
 * Audit filter expressions (the `filter` device option), parsed once at enable time into an AST
 * and evaluated per entry. They are written over five fields of the entry:
 * `mount_point`, `mount_type`, `namespace` ("" for the root namespace, as Vault's namespace path),
 * `operation`, `path`. Supported, in Vault's go-bexpr style:
 *
 *   field == "v"    field != "v"         exact comparison (also `"v" == field`)
 *   field matches "re"                   JavaScript regular expression, unanchored search
 *   field not matches "re"
 *   "sub" in field  / "sub" not in field substring test (bexpr's `in` on a string)
 *   field contains "sub" / not contains  the same, written the other way round
 *   field in ["a", "b"] / not in [...]   membership in a list of strings
 *   not X,  X and Y,  X or Y,  ( X )     `not` binds tightest, then `and`, then `or`
 *
 * Strings are double-quoted with \" \\ \n \t \r escapes. Anything else is refused with an
 * 'invalid' error naming the offset. Filters are set by sudo operators only; regexes are not
 * sandboxed against catastrophic backtracking, so keep them simple.
 */
import { filterError, tokenize, type Token } from './filter-lexer.js';

export const FILTER_FIELDS = ['mount_point', 'mount_type', 'namespace', 'operation', 'path'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterSubject = Readonly<Record<FilterField, string>>;

export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; expr: FilterNode }
  | { op: 'eq' | 'ne' | 'contains'; field: FilterField; value: string }
  | { op: 'matches'; field: FilterField; re: RegExp }
  | { op: 'oneOf'; field: FilterField; values: string[] };

const KEYWORDS = new Set(['and', 'or', 'not', 'matches', 'in', 'contains']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.i]; }
  private next(): Token { return this.tokens[this.i++]; }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word;
  }
  private expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw filterError(t.pos, `expected ${what}, found ${describe(t)}`);
    return t;
  }

  parse(): FilterNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw filterError(t.pos, `unexpected ${describe(t)}`);
    return node;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or')) { this.next(); left = { op: 'or', left, right: this.and() }; }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord('and')) { this.next(); left = { op: 'and', left, right: this.unary() }; }
    return left;
  }

  private unary(): FilterNode {
    if (this.isWord('not')) { this.next(); return { op: 'not', expr: this.unary() }; }
    if (this.peek().kind === '(') {
      this.next();
      const inner = this.or();
      this.expect(')', '")"');
      return inner;
    }
    return this.comparison();
  }

  private field(): FilterField {
    const t = this.expect('ident', 'a field name');
    if (!(FILTER_FIELDS as readonly string[]).includes(t.text)) {
      throw filterError(t.pos, `unknown field "${t.text}" (fields: ${FILTER_FIELDS.join(', ')})`);
    }
    return t.text as FilterField;
  }

  private comparison(): FilterNode {
    const first = this.peek();
    if (first.kind === 'string') {
      this.next();
      if (this.peek().kind === '==' || this.peek().kind === '!=') {
        const op = this.next().kind === '==' ? 'eq' : 'ne';
        return { op, field: this.field(), value: first.text };
      }
      const negated = this.isWord('not') && (this.next(), true);
      if (!this.isWord('in')) throw filterError(this.peek().pos, `expected "in", "==" or "!=", found ${describe(this.peek())}`);
      this.next();
      const node: FilterNode = { op: 'contains', field: this.field(), value: first.text };
      return negated ? { op: 'not', expr: node } : node;
    }
    if (first.kind !== 'ident' || KEYWORDS.has(first.text)) {
      throw filterError(first.pos, `expected a comparison, found ${describe(first)}`);
    }
    const field = this.field();
    const t = this.next();
    if (t.kind === '==' || t.kind === '!=') {
      return { op: t.kind === '==' ? 'eq' : 'ne', field, value: this.expect('string', 'a quoted string').text };
    }
    let negated = false;
    let verb = t;
    if (t.kind === 'ident' && t.text === 'not') { negated = true; verb = this.next(); }
    let node: FilterNode;
    if (verb.kind === 'ident' && verb.text === 'matches') {
      const s = this.expect('string', 'a quoted regular expression');
      let re: RegExp;
      try { re = new RegExp(s.text); } catch { throw filterError(s.pos, 'invalid regular expression'); }
      node = { op: 'matches', field, re };
    } else if (verb.kind === 'ident' && verb.text === 'contains') {
      node = { op: 'contains', field, value: this.expect('string', 'a quoted string').text };
    } else if (verb.kind === 'ident' && verb.text === 'in') {
      node = { op: 'oneOf', field, values: this.list() };
    } else {
      throw filterError(verb.pos, `expected an operator (==, !=, matches, contains, in), found ${describe(verb)}`);
    }
    return negated ? { op: 'not', expr: node } : node;
  }

  private list(): string[] {
    this.expect('[', '"["');
    const values: string[] = [];
    if (this.peek().kind === ']') { this.next(); return values; }
    for (;;) {
      values.push(this.expect('string', 'a quoted string').text);
      const t = this.next();
      if (t.kind === ']') return values;
      if (t.kind !== ',') throw filterError(t.pos, `expected "," or "]", found ${describe(t)}`);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of expression';
  if (t.kind === 'string') return 'a string';
  return `"${t.text}"`;
}

/** Parses a filter expression; throws SealtrailError 'invalid' (code invalid_audit_filter). */
export function parseFilter(src: string): FilterNode {
  if (src.trim() === '') throw filterError(0, 'empty expression');
  return new Parser(tokenize(src)).parse();
}

export function evaluateFilter(node: FilterNode, s: FilterSubject): boolean {
  switch (node.op) {
    case 'and': return evaluateFilter(node.left, s) && evaluateFilter(node.right, s);
    case 'or': return evaluateFilter(node.left, s) || evaluateFilter(node.right, s);
    case 'not': return !evaluateFilter(node.expr, s);
    case 'eq': return s[node.field] === node.value;
    case 'ne': return s[node.field] !== node.value;
    case 'contains': return s[node.field].includes(node.value);
    case 'matches': return node.re.test(s[node.field]);
    case 'oneOf': return node.values.includes(s[node.field]);
  }
}
