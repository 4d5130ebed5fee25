/** Matching of backend path lists (unauthenticated, root-protected): exact, or `*` as a suffix. */
export function matchesPathList(path: string, globs: readonly string[] | undefined): boolean {
  if (!globs) return false;
  for (const g of globs) {
    if (g.endsWith('*') ? path.startsWith(g.slice(0, -1)) : path === g) return true;
  }
  return false;
}
