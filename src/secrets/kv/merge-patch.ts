/**
 * JSON merge patch (RFC 7396), what KV v2's PATCH applies to a secret's current data: an object in
 * the patch merges into the target key by key, `null` removes a key, anything else (a string, a
 * number, an array) replaces the target's value. Neither argument is changed: the result is new,
 * sharing only values the patch did not touch (the current data is a frozen cached record).
 */
import { getOwn, isJsonObject, setOwn } from '../../lib/safe-object.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const out: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else setOwn(out, name, mergePatch(getOwn(out, name), value));
  }
  return out;
}
