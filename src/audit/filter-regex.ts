/**
 * Regular expressions of `matches` / `not matches`. Vault runs them with Go's RE2, which matches in
 * time linear in the input; JavaScript's backtracking engine does not (`.*a.*a.*x` against a 4 KiB
 * path takes longer than 20 seconds), and filters run on every request. So patterns are compiled with V8's
 * linear-time engine (the `l` flag), which, like RE2, has no backreferences or lookaround; a
 * pattern it cannot run in linear time is refused at enable, as are RE2 constructs JavaScript
 * would silently read differently. Pattern length is capped too.
 */
import { compileLinearRegex } from '../lib/linear-regex.js';
import { filterError } from './filter-error.js';

/** Longest `matches` pattern accepted, in characters. */
export const MAX_REGEX_LENGTH = 256;

// RE2 syntax that JavaScript accepts with another meaning (or not at all): refuse, never misread.
const UNSUPPORTED: [RegExp, string][] = [
  [/^(?:[^\\]|\\.)*?\\[pPAzQEC]/s, 'Unicode classes (\\p), \\A, \\z, \\Q...\\E and \\C are not supported'],
  [/\[:[a-z]+:\]/, 'POSIX character classes ([[:alpha:]]) are not supported'],
];

export function compileFilterRegex(pattern: string, pos: number): RegExp {
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw filterError(pos, `regular expression longer than ${MAX_REGEX_LENGTH} characters`);
  }
  let source = pattern;
  let flags = '';
  // Go's leading flag group: (?s) and (?m) map to JavaScript flags; (?i) and (?U) have no
  // linear-time equivalent here.
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1]) {
      if (f !== 's' && f !== 'm') throw filterError(pos, `regular expression flag "${f}" is not supported (only s and m)`);
      if (!flags.includes(f)) flags += f;
    }
    source = source.slice(lead[0].length);
  }
  for (const [re, why] of UNSUPPORTED) {
    if (re.test(source)) throw filterError(pos, why);
  }
  const compiled = compileLinearRegex(source, flags);
  if (compiled.ok) return compiled.re;
  throw filterError(pos, {
    unavailable: '"matches" is unavailable: this runtime has no linear-time regular expression engine',
    not_linear: 'regular expression cannot be matched in linear time (no backreferences, lookaround or counted repetition over 16)',
    invalid: 'invalid regular expression',
  }[compiled.problem]);
}
