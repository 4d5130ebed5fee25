/**
 * The regular expressions of contexts (write-context rules, read-context `regex` conditions) are
 * written by a context's author and run over the data of every caller who encapsulates or loads
 * with it. They run on the linear-time engine (lib/linear-regex.ts), so no pattern can make a
 * request's cost grow faster than its data.
 */
import { invalid } from '../../errors/index.js';
import { compileLinearRegex } from '../../lib/linear-regex.js';

const PROBLEMS = {
  unavailable: 'cannot be used: this runtime has no linear-time regular expression engine',
  not_linear: 'cannot be matched in linear time (no backreferences, lookaround or counted repetition over 16)',
  invalid: 'is not a valid regular expression',
} as const;

/** `source` compiled with `flags`; an invalid-context error naming `where` when it cannot be. */
export function contextPattern(where: string, source: string, flags = ''): RegExp {
  const compiled = compileLinearRegex(source, flags);
  if (!compiled.ok) throw invalid(`${where} ${PROBLEMS[compiled.problem]}`, 'capsule_invalid_context');
  return compiled.re;
}
