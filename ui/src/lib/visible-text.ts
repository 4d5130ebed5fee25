/**
 * Text from records shown as it is stored. Characters that render as nothing or reorder what is
 * around them — format characters (bidi overrides and isolates, zero-width ones, U+FEFF), C1
 * controls, line and paragraph separators, lone surrogates — are shown as `\uXXXX` escapes, so a
 * value cannot make its line read differently from its bytes (a right-to-left override moving a
 * closing quote, a zero-width space splitting a name).
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Cs}\u2028\u2029]/gu;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A string for display, invisible characters escaped. */
export function visibleText(s: string): string {
  return s.replace(INVISIBLE, escape);
}

/** JSON text for display: JSON.stringify, then what it leaves invisible escaped (still valid JSON). */
export function visibleJson(value: unknown): string {
  return visibleText(JSON.stringify(value) ?? 'undefined');
}
