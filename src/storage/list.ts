/** Vault list semantics over a sorted set of keys: immediate children of a prefix. */
export function childrenOf(sortedKeys: Iterable<string>, prefix: string): string[] {
  const out: string[] = [];
  let lastFolder = '';
  for (const key of sortedKeys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) out.push(rest);
    else {
      const folder = rest.slice(0, slash + 1);
      if (folder !== lastFolder) {
        out.push(folder);
        lastFolder = folder;
      }
    }
  }
  return [...new Set(out)].sort();
}
