/**
 * `elide_list_responses`: list responses can be huge (every key of a KV folder), so a device may
 * log only their size. On list operations, `response.data.keys` (a list) and `key_info` (a map)
 * become their counts; any other shape, and every other field, is left as it is.
 */

/** Returns a shallow copy of `data` with keys/key_info replaced by counts (input untouched). */
export function elideListData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = data.keys;
  const keyInfo = data.key_info;
  const elideKeys = Array.isArray(keys);
  const elideInfo = isPlainMap(keyInfo);
  if (!elideKeys && !elideInfo) return data as Record<string, unknown>;
  const out: Record<string, unknown> = { ...data };
  if (elideKeys) out.keys = (keys as unknown[]).length;
  if (elideInfo) out.key_info = Object.keys(keyInfo as object).length;
  return out;
}

function isPlainMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}
