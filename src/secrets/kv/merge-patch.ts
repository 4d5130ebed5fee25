/**
 * JSON merge patch (RFC 7396), what KV v2's PATCH applies to a secret's current data: an object in
 * the patch merges into the target key by key, `null` removes a key, anything else (a string, a
 * number, an array) replaces the target's value. Neither argument is changed: the result is new,
 * sharing only values the patch did not touch (the current data is a frozen cached record).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else out[name] = mergePatch(out[name], value);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
