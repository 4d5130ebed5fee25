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
  const out: Record<string, ConditionValue> = {};
  for (const [key, values] of byKey) out[key] = values.length === 1 ? values[0] : { candidates: values };
  return out;
}
