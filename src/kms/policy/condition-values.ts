/**
 * Condition values made from key/value pairs: an encryption context (`kms:EncryptionContext:<key>`)
 * and tags (`aws:ResourceTag/<key>`, `aws:RequestTag/<key>`). Condition key names ignore case and
 * the pairs' keys do not, so pairs whose keys differ only in case (`dept`, `Dept`) give one
 * condition key every one of their values, as an ambiguous value (model.ts), never the last one only.
 */
import type { ConditionValue } from './model.js';

export function pairConditions(prefix: string, pairs: Iterable<readonly [string, string]>): Record<string, ConditionValue> {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const key = `${prefix}${k.toLowerCase()}`;
    const values = byKey.get(key);
    if (values) values.push(v);
    else byKey.set(key, [v]);
  }
  const out = conditionMap();
  for (const [key, values] of byKey) out[key] = values.length === 1 ? values[0] : { candidates: values };
  return out;
}

/**
 * An empty map of condition keys, without a prototype. A call presents some twenty keys, named by
 * what it carries: an object literal made by spreading them (`{ ...a, ...b }`) walks V8 through a
 * new hidden class per key and cost ~10 µs a call; a map without a prototype holds them as a
 * dictionary from the start (and no key can reach an inherited property).
 */
export const conditionMap = (): Record<string, ConditionValue> => Object.create(null) as Record<string, ConditionValue>;

/** The layers' condition keys in one map, a later layer's value winning (as a spread would). */
export function mergeConditions(...layers: ReadonlyArray<Readonly<Record<string, ConditionValue>> | undefined>): Record<string, ConditionValue> {
  const out = conditionMap();
  for (const layer of layers) {
    if (layer) for (const key of Object.keys(layer)) out[key] = layer[key];
  }
  return out;
}
