/**
 * `subkeys/<path>` (Vault 1.10+): a version's structure without its values — every key of the data,
 * each value `null` unless it is an object, whose keys follow, down to `depth` levels (0: no limit);
 * keys at that depth are leaves. With the version's metadata, as a read of data/ answers it; a
 * deleted or destroyed version is 404 with its metadata and `subkeys: null`.
 */
import type { Clock } from '../../lib/clock.js';
import type { PathRequest, PathSpec, LogicalResponse } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';
import { intField } from './input.js';
import { readVersion } from './path-data.js';
import type { KvStore } from './store.js';
import { nothingFound } from './views.js';

/** The keys of `value` (an object) with their sub-keys, to `depth` levels (Infinity: all). */
function subkeysOf(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    setOwn(out, key, depth > 1 && isJsonObject(inner) ? subkeysOf(inner as Record<string, unknown>, depth - 1) : null);
  }
  return out;
}

export function subkeysPath(store: KvStore, clock: Clock): PathSpec {
  async function read(req: PathRequest): Promise<LogicalResponse> {
    const depth = intField(req.data, 'depth') ?? 0;
    if (depth < 0) throw invalid('depth must be a non-negative integer', 'kv_invalid_field');
    const version = await readVersion(store, clock, req);
    if (version.found === 'none') return nothingFound();
    if (version.found === 'unavailable') return { httpStatus: 404, data: { subkeys: null, metadata: version.metadata } };
    return { data: { subkeys: subkeysOf(version.data, depth === 0 ? Infinity : depth), metadata: version.metadata } };
  }

  return { pattern: 'subkeys/(?<path>.*)', handlers: { read } };
}
