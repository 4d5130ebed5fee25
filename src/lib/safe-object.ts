/**
 * Objects keyed by user input. On an ordinary object, `obj[key] = v` with the key `__proto__`
 * replaces the prototype instead of storing the value (the key is silently dropped), and
 * `obj[key]` with `constructor` or `toString` reads what Object.prototype inherits instead of
 * "absent". JSON.parse, object spread and Object.fromEntries define own properties and are safe;
 * assignment, Object.assign, `in` and plain reads are not. Every place that copies or looks up a
 * key that came from a request, a stored record or a configuration file goes through these
 * helpers (or a Map), so such keys are ordinary data everywhere.
 */
import { JsonNumber } from './json-number.js';

/** Stores `value` under `key` as an own, enumerable property, whatever the key. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** The own property `key` of `obj`, or undefined (never an inherited member). */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** True for JSON objects (not arrays, not null, not a kept number). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}
