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

/**
 * What the `matches` of one request may cost, over every device's filter and both its entries:
 * pattern length × field length, summed. V8's linear-time engine takes ~20–110 ns and ~20–80
 * bytes (outside the heap) per unit here, and the caller chooses the path, unauthenticated: at
 * most ~7 ms and ~5 MB a request.
 */
export const FILTER_REGEX_UNITS = 1 << 16;

/** What is left of a request's budget (one object per request, shared by its entries). */
export interface FilterBudget { units: number }

export const filterBudget = (): FilterBudget => ({ units: FILTER_REGEX_UNITS });

/** Thrown inside an evaluation whose `matches` would exceed its budget. */
const OVER_BUDGET = Symbol('over budget');
let budget: FilterBudget = filterBudget();

/**
 * Whether the device records the entry. An entry whose fields are too long for the filter's
 * regular expressions to read within what is left of `spend` is recorded unfiltered: a filter only
 * ever leaves entries out, and one it could not check is kept.
 */
export function evaluateFilter(node: FilterNode, s: FilterSubject, spend: FilterBudget = filterBudget()): boolean {
  budget = spend;
  try {
    return evaluate(node, s);
  } catch (err) {
    if (err === OVER_BUDGET) return true;
    throw err;
  }
}

function evaluate(node: FilterNode, s: FilterSubject): boolean {
  switch (node.op) {
    case 'and': return evaluate(node.left, s) && evaluate(node.right, s);
    case 'or': return evaluate(node.left, s) || evaluate(node.right, s);
    case 'not': return !evaluate(node.expr, s);
    case 'eq': return s[node.field] === node.value;
    case 'ne': return s[node.field] !== node.value;
    case 'empty': return s[node.field] === '';
    case 'contains': return s[node.field].includes(node.value);
    case 'matches': {
      const text = s[node.field];
      const cost = node.re.source.length * text.length;
      if (cost > budget.units) throw OVER_BUDGET;
      budget.units -= cost;
      return node.re.test(text);
    }
    case 'oneOf': return node.values.includes(s[node.field]);
  }
}
