/**
 * A deep copy with object keys in sorted order. Secret data is stored this way so reads return it
 * in the order Vault's Go encoder writes maps (integer-like keys aside: JavaScript always puts them
 * first, in numeric order).
 */
import { JsonNumber } from '../../lib/json-number.js';

export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object' || value instanceof JsonNumber) return value;
  // Object.fromEntries defines own properties, so a `__proto__` key stays data and cannot
  // replace the prototype.
  const source = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(source).sort().map((key) => [key, sortKeysDeep(source[key])]));
}
