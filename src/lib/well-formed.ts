/**
 * Lone UTF-16 surrogates in request JSON. JSON's `\ud800` escape can spell a code unit that is no
 * character; JSON.parse keeps it, but UTF-8 (and so every HMAC of the audit entry and every byte a
 * log writes) cannot, and writes U+FFFD instead. A request naming "\ud800" would act on one string
 * and be recorded as another (the same record as a request naming "\ufffd"). As Go's decoder does
 * in Vault, a lone surrogate becomes U+FFFD as the body is read, so the handler, the ACL and the
 * audit entry see the same string.
 */

/** A surrogate escape in JSON text (a pair is two of them): the only way to write a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Whether parsed JSON from `text` may hold a lone surrogate (one test of the text; rare). */
export const mayHoldLoneSurrogate = (text: string): boolean => SURROGATE_ESCAPE.test(text);

const wellFormed = (s: string): string => ((s as WellFormedString).isWellFormed() ? s : (s as WellFormedString).toWellFormed());
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * `value` (freshly parsed JSON, changed in place) with every lone surrogate in its strings and
 * keys replaced by U+FFFD. Keys that become equal keep the later value, as duplicate keys do.
 * Only plain objects and arrays are entered (a JsonNumber is digits).
 */
export function replaceLoneSurrogates<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T;
  // Frozen values were not just parsed (and cannot be changed in place).
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = replaceLoneSurrogates(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  const entries = keys.map((k) => [wellFormed(k), replaceLoneSurrogates(obj[k])] as const);
  if (entries.every(([k], i) => k === keys[i])) {
    for (const [k, v] of entries) obj[k] = v;
  } else {
    for (const k of keys) delete obj[k];
    // Own data properties, `__proto__` included, in order: a later equal key overwrites.
    for (const [k, v] of entries) Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  return value;
}
