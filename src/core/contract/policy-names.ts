/**
 * Policy names the core itself relies on: the normalisation applied to a token's policy list
 * (the lifecycle applies it to the tokens it mints at login, the token module to every token) and
 * the built-in policy of response-wrapping tokens, which the core's wrapping issues and the policy
 * store answers for.
 */

/** Built in, like root: what a response-wrapping token may do (core/wrapping.ts). */
export const RESPONSE_WRAPPING_POLICY_NAME = 'response-wrapping';

/**
 * The policy names no token may be given, as Vault's `nonAssignablePolicies`: a token holding only
 * `response-wrapping` would pass for a wrapping token. The first one a (sanitized) list holds.
 */
export function nonAssignablePolicy(policies: readonly string[]): string | undefined {
  return policies.find((p) => p === RESPONSE_WRAPPING_POLICY_NAME);
}

/**
 * Vault's policy-list normalisation (policyutil.SanitizePolicies): trims, lower-cases, drops
 * empties and duplicates, sorts. A list containing `root` becomes `["root"]`. With `addDefault`,
 * `default` is added unless the list is root.
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
