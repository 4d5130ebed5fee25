/** Policy lists of tokens: Vault's normalisation (declared by the core, which mints login tokens) and the subset rule. */
export { nonAssignablePolicy, sanitizePolicies } from '../../core/index.js';

/** Whether every policy of `child` (ignoring `default`) is held by `parent`. */
export function isPolicySubset(parent: readonly string[], child: readonly string[]): boolean {
  const held = new Set(parent);
  return child.every((p) => held.has(p));
}
