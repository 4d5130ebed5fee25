/** IAM wildcard matching: `*` any run of characters, `?` exactly one; everything else literal. */
const cache = new Map<string, RegExp>();

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = (ignoreCase ? 'i:' : 's:') + pattern;
  let re = cache.get(cacheKey);
  if (!re) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, re);
  }
  return re.test(value);
}
