/**
 * Deeply immutable JSON values. A value passed through `deepFreeze` — plain objects and arrays of
 * strings, numbers (a JsonNumber is frozen already), booleans and null, all the way down — can
 * never change again, so anything derived from it (its HMAC'd audit copy, its serialized text) can
 * be computed once and kept for as long as the value lives. `isDeepFrozen` tells such values apart from merely frozen ones,
 * whose nested objects might still change; only the former may be memoized.
 */
import { JsonNumber } from './json-number.js';

const deeplyFrozen = new WeakSet<object>();

/** Freezes `value` and everything in it; returns it. Values holding anything but JSON are refused. */
export function deepFreeze<T>(value: T): T {
  freezeTree(value);
  return value;
}

function freezeTree(value: unknown): void {
  if (typeof value !== 'object' || value === null || value instanceof JsonNumber || deeplyFrozen.has(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    throw new TypeError('deepFreeze: only plain objects, arrays and JSON scalars can be frozen');
  }
  for (const child of Object.values(value)) freezeTree(child);
  Object.freeze(value);
  deeplyFrozen.add(value);
}

/** True for objects and arrays that went through deepFreeze (and so never change). */
export function isDeepFrozen(value: object): boolean {
  return deeplyFrozen.has(value);
}
