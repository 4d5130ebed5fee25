/** Vault's policy-list normalisation for tokens (policyutil.SanitizePolicies). */

/**
 * Trims, lower-cases, drops empties and duplicates, sorts. A list containing `root` becomes
 * `["root"]`. With `addDefault`, `default` is added unless the list is root.
 *
 * sanitizePolicies([' Dev', 'ops', 'dev'], true) → ['default', 'dev', 'ops']
 */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const names = new Set<string>();
  for (const p of policies) {
    const name = String(p).trim().toLowerCase();
    if (name === 'root') return ['root'];
    if (name !== '') names.add(name);
  }
  if (addDefault) names.add('default');
  return [...names].sort();
}

/** Whether every policy of `child` (ignoring `default`) is held by `parent`. */
export function isPolicySubset(parent: readonly string[], child: readonly string[]): boolean {
  const held = new Set(parent);
  return child.every((p) => held.has(p));
}
