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
 */

const STAR = '*';
const QUESTION = 0x3f;

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? foldCase(pattern) : pattern;
  const v = ignoreCase ? foldCase(value) : value;
  if (!p.includes(STAR)) return p.length === v.length && matchesAt(p, v, 0);
  const segments = p.split(STAR);
  const first = segments[0];
  const last = segments[segments.length - 1];
  const end = v.length - last.length;
  if (first.length > end || !matchesAt(first, v, 0) || !matchesAt(last, v, end)) return false;
  let at = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const found = leftmostMatch(segments[i], v, at, end);
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
function leftmostMatch(segment: string, value: string, from: number, end: number): number {
  if (!segment.includes('?')) {
    const found = value.indexOf(segment, from);
    return found >= 0 && found + segment.length <= end ? found : -1;
  }
  // The segment's code units, -1 for `?`; the scan runs (value length × segment length) steps at worst.
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
