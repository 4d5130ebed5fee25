/** IAM wildcard matching: `*` any run of characters, `?` exactly one; everything else literal. */
import { LruMap } from '../../lib/lru.js';

/** Compiled patterns kept: the distinct patterns of the policies in use. */
const PATTERN_CACHE_ENTRIES = 10_000;
const cache = new LruMap<string, RegExp>(PATTERN_CACHE_ENTRIES);

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = (ignoreCase ? 'i:' : 's:') + pattern;
  let re = cache.get(cacheKey);
  if (!re) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
    cache.set(cacheKey, re);
  }
  return re.test(value);
}
