/**
 * Regular expressions that one party writes and another party's data runs through (audit filters,
 * capsule context rules) are compiled for V8's linear-time engine, the `l` flag: matching time
 * grows with pattern size times input length, whatever the pattern. JavaScript's usual engine
 * backtracks, and `(a|aa)*$` or `.*a.*a.*x` takes seconds to minutes on a few kilobytes. The
 * linear engine has no backreferences or lookaround and replicates counted repetition only up
 * to 16, so such patterns cannot be compiled; callers refuse them with their own message.
 */
import { setFlagsFromString } from 'node:v8';

export type LinearRegexResult =
  | { ok: true; re: RegExp }
  | { ok: false; problem: 'unavailable' | 'not_linear' | 'invalid' };

let available: boolean | undefined;

/** Whether `new RegExp(..., 'l')` works, enabling V8's linear engine once if it is off. */
export function linearEngineAvailable(): boolean {
  if (available !== undefined) return available;
  const probe = (): boolean => {
    try { new RegExp('', 'l'); return true; } catch { return false; }
  };
  // The flag is read when a RegExp is compiled, so turning it on at run time is effective; it
  // only makes the `l` flag available and changes no other regular expression.
  if (!probe()) setFlagsFromString('--enable-experimental-regexp-engine');
  available = probe();
  return available;
}

/** `source` with `flags` (without `l`), compiled for the linear-time engine. */
export function compileLinearRegex(source: string, flags = ''): LinearRegexResult {
  if (!linearEngineAvailable()) return { ok: false, problem: 'unavailable' };
  try {
    return { ok: true, re: new RegExp(source, `${flags}l`) };
  } catch (err) {
    return { ok: false, problem: err instanceof SyntaxError && err.message.includes('linear time') ? 'not_linear' : 'invalid' };
  }
}
