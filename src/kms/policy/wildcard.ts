/**
 * IAM wildcard matching: `*` any run of characters (none included), `?` exactly one; everything
 * else literal. A character is a UTF-16 code unit.
 *
 * No backtracking: the pattern splits at each `*` into segments. The first segment must match at
 * the start of the value and the last at its end; each segment between takes its leftmost match
 * after the previous one. The leftmost match is never the wrong choice, since any later one leaves
 * less of the value for the segments after it. So one pass decides, in at most
 * (value length × longest segment) comparisons: a key policy (at most 32 KiB) cannot make a
 * request's values cost more than that, whatever its stars.
 *
 * Many patterns against many values still add up (a 32 KiB policy of `?` pieces against an 8 KiB
 * encryption context: seconds per call). A MatchBudget, one per policy evaluation, is charged
 * for the comparisons each match may make and stops the evaluation when spent (evaluate.ts).
 */

/** Thrown when a policy evaluation has spent its budget; evaluate.ts turns it into a refusal. */
export class MatchBudgetSpent extends Error {}

/** The character comparisons one policy evaluation may still make. */
export class MatchBudget {
  constructor(private remaining: number) {}

  spend(units: number): void {
    this.remaining -= units;
    if (this.remaining < 0) throw new MatchBudgetSpent('the key policy is too costly to evaluate for this request');
  }
}

/** For callers that match one pattern alone (tests, tools). */
const UNLIMITED = new MatchBudget(Infinity);

const STAR = '*';
const QUESTION = 0x3f;

export function wildcardMatch(pattern: string, value: string, ignoreCase = false, budget: MatchBudget = UNLIMITED): boolean {
  budget.spend(1 + (ignoreCase ? pattern.length + value.length : 0));
  const p = ignoreCase ? foldCase(pattern) : pattern;
  const v = ignoreCase ? foldCase(value) : value;
  if (!p.includes(STAR)) {
    if (p.length !== v.length) return false;
    budget.spend(p.length);
    return matchesAt(p, v, 0);
  }
  const segments = p.split(STAR);
  const first = segments[0];
  const last = segments[segments.length - 1];
  const end = v.length - last.length;
  budget.spend(first.length + last.length);
  if (first.length > end || !matchesAt(first, v, 0) || !matchesAt(last, v, end)) return false;
  let at = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const found = leftmostMatch(segments[i], v, at, end, budget);
    if (found < 0) return false;
    at = found + segments[i].length;
  }
  return true;
}

/** Whether `segment` (literals and `?`) matches `value` at `at`; the caller ensures it fits. */
function matchesAt(segment: string, value: string, at: number): boolean {
  for (let k = 0; k < segment.length; k++) {
    const c = segment.charCodeAt(k);
    if (c !== QUESTION && c !== value.charCodeAt(at + k)) return false;
  }
  return true;
}

/** The first index ≥ `from` where `segment` matches and ends by `end`, or -1. */
function leftmostMatch(segment: string, value: string, from: number, end: number, budget: MatchBudget): number {
  const positions = Math.max(0, end - segment.length - from + 1);
  if (!segment.includes('?')) {
    // V8's string search is linear in practice: charged as one pass over the span.
    budget.spend(positions + segment.length);
    const found = value.indexOf(segment, from);
    return found >= 0 && found + segment.length <= end ? found : -1;
  }
  // The segment's code units, -1 for `?`; the scan runs (positions × segment length) steps at worst,
  // charged before it starts.
  budget.spend(positions * segment.length);
  const codes = new Int32Array(segment.length);
  for (let k = 0; k < segment.length; k++) codes[k] = segment.charCodeAt(k) === QUESTION ? -1 : segment.charCodeAt(k);
  next: for (let at = from; at + codes.length <= end; at++) {
    for (let k = 0; k < codes.length; k++) if (codes[k] >= 0 && codes[k] !== value.charCodeAt(at + k)) continue next;
    return at;
  }
  return -1;
}

/**
 * Case folding as a JavaScript `/i` regular expression without the `u` flag does it: each code
 * unit becomes its upper case when that is a single code unit, and nothing outside ASCII folds
 * into ASCII. Folding never changes a string's length, so `?` still stands for one character
 * (`'ß'.toUpperCase()` is `SS`, `'İ'.toLowerCase()` is two code units: whole-string case
 * mapping would shift them).
 */
function foldCase(s: string): string {
  if (!/[\u0080-\uffff]/.test(s)) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const upper = c.toUpperCase();
    out += upper.length === 1 && (c.charCodeAt(0) < 0x80 || upper.charCodeAt(0) >= 0x80) ? upper : c;
  }
  return out;
}
