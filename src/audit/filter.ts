/**
 * Audit filter expressions (the `filter` device option), in go-bexpr's grammar as Vault uses it:
 * parsed once at enable time (a bad expression is refused with a 400 naming the offset) and
 * evaluated per entry without allocating. They read five fields of the entry: `mount_point`,
 * `mount_type`, `namespace` ("" for the root namespace), `operation`, `path`.
 *
 *   field == value   field != value       exact comparison (values quoted or not: kv, "kv", `kv`)
 *   field is empty   field is not empty
 *   value in field   value not in field   substring test, also written field contains value
 *   field matches re / not matches re    regular expression, unanchored, linear-time (see filter-regex.ts)
 *   field in ["a", "b"] / not in [...]   membership in a list (a Sealtrail extension)
 *   not X,  X and Y,  X or Y,  ( X )     `not` binds tightest, then `and`, then `or`
 *
 * A field may also be named by a JSON pointer in double quotes: "/mount_type" == kv.
 */
import { filterError } from './filter-error.js';
import { tokenize } from './filter-lexer.js';
import { FilterParser } from './filter-parser.js';
import type { FilterNode, FilterSubject } from './filter-types.js';

export { FILTER_FIELDS } from './filter-types.js';
export type { FilterField, FilterNode, FilterSubject } from './filter-types.js';

/** Parses a filter expression; throws SealtrailError 'invalid' (code invalid_audit_filter). */
export function parseFilter(src: string): FilterNode {
  if (src.trim() === '') throw filterError(0, 'empty expression');
  return new FilterParser(tokenize(src)).parse();
}

export function evaluateFilter(node: FilterNode, s: FilterSubject): boolean {
  switch (node.op) {
    case 'and': return evaluateFilter(node.left, s) && evaluateFilter(node.right, s);
    case 'or': return evaluateFilter(node.left, s) || evaluateFilter(node.right, s);
    case 'not': return !evaluateFilter(node.expr, s);
    case 'eq': return s[node.field] === node.value;
    case 'ne': return s[node.field] !== node.value;
    case 'empty': return s[node.field] === '';
    case 'contains': return s[node.field].includes(node.value);
    case 'matches': return node.re.test(s[node.field]);
    case 'oneOf': return node.values.includes(s[node.field]);
  }
}
