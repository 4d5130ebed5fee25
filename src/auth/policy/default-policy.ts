/** The `default` policy every token gets unless created with no_default_policy (Vault's content, trimmed to what Sealtrail serves). */
import type { PolicyStore } from './types.js';

export const DEFAULT_POLICY_NAME = 'default';

export const DEFAULT_POLICY_TEXT = `# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
`;

/**
 * Creates the `default` policy if it does not exist yet (an operator's edits are kept). Call it at
 * unseal, once the barrier is open. Returns whether it was created.
 */
export async function ensureDefaultPolicy(policies: PolicyStore): Promise<boolean> {
  if (await policies.get(DEFAULT_POLICY_NAME)) return false;
  await policies.put(DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT);
  return true;
}
