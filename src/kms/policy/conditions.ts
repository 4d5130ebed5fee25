/**
 * Condition operators of AWS's policy language, the string family (what key policies on
 * attestation and encryption context use) plus Null, Bool and IpAddress (aws:SourceIp):
 *
 *   positive operators (StringEquals, StringLike, ...) are false when the key is absent;
 *   negated operators (StringNotEquals, StringNotLike, ...) are true when it is absent;
 *   `...IfExists` makes an absent key true; several values are alternatives (OR).
 *   ForAnyValue:/ForAllValues: apply the operator to each value of a multi-valued key; an absent
 *   key makes ForAllValues true and ForAnyValue false, negated or IfExists alike.
 */
import { ipInRange } from './ip-address.js';
import { wildcardMatch, type MatchBudget } from './wildcard.js';

type Matcher = (pattern: string, value: string, budget: MatchBudget) => boolean;

/** Each comparison is charged to the evaluation's budget: one, or the characters it reads. */
const equal: Matcher = (p, v, budget) => { budget.spend(1 + (p.length === v.length ? p.length : 0)); return p === v; };
const equalIgnoringCase: Matcher = (p, v, budget) => { budget.spend(1 + p.length + v.length); return p.toLowerCase() === v.toLowerCase(); };
const like: Matcher = (p, v, budget) => wildcardMatch(p, v, false, budget);
const inRange: Matcher = (p, v, budget) => { budget.spend(1 + p.length + v.length); return ipInRange(p, v); };

const BASE: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: equal, negated: false },
  StringNotEquals: { match: equal, negated: true },
  StringEqualsIgnoreCase: { match: equalIgnoringCase, negated: false },
  StringNotEqualsIgnoreCase: { match: equalIgnoringCase, negated: true },
  StringLike: { match: like, negated: false },
  StringNotLike: { match: like, negated: true },
  ArnEquals: { match: equal, negated: false },
  ArnLike: { match: like, negated: false },
  ArnNotEquals: { match: equal, negated: true },
  ArnNotLike: { match: like, negated: true },
  Bool: { match: equalIgnoringCase, negated: false },
  IpAddress: { match: inRange, negated: false },
  NotIpAddress: { match: inRange, negated: true },
};

interface ParsedOperator {
  name: string;
  ifExists: boolean;
  set?: 'ForAnyValue' | 'ForAllValues';
}

export function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator;
  let set: ParsedOperator['set'];
  const m = /^(ForAnyValue|ForAllValues):(.+)$/.exec(rest);
  if (m) { set = m[1] as ParsedOperator['set']; rest = m[2]; }
  let ifExists = false;
  if (rest.endsWith('IfExists')) { ifExists = true; rest = rest.slice(0, -'IfExists'.length); }
  if (rest === 'Null') return set || ifExists ? undefined : { name: rest, ifExists: false };
  if (!Object.hasOwn(BASE, rest)) return undefined;
  return { name: rest, ifExists, set };
}

/** Evaluates one operator/key clause against the request's value(s) for that key. */
export function evaluateClause(operator: string, patterns: readonly string[], actual: string | readonly string[] | undefined, budget: MatchBudget): boolean {
  const op = parseOperator(operator);
  if (!op) return false; // rejected at parse time; never grants
  if (op.name === 'Null') {
    const absent = actual === undefined || (Array.isArray(actual) && actual.length === 0);
    return patterns.some((p) => (p.toLowerCase() === 'true') === absent);
  }
  const { match, negated } = BASE[op.name];
  const values = actual === undefined ? [] : typeof actual === 'string' ? [actual] : [...actual];
  if (values.length === 0) {
    // IAM's set operators on an absent (or empty) key: ForAllValues holds, ForAnyValue does not,
    // whatever the operator and IfExists say.
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    return op.ifExists || negated;
  }
  const anyPattern = (v: string) => patterns.some((p) => match(p, v, budget));
  if (op.set === 'ForAllValues') return values.every((v) => (negated ? !anyPattern(v) : anyPattern(v)));
  if (op.set === 'ForAnyValue') return values.some((v) => (negated ? !anyPattern(v) : anyPattern(v)));
  // Single-valued: negated operators hold when no pattern matches.
  return negated ? !values.some(anyPattern) : values.some(anyPattern);
}
