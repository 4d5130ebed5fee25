/**
 * The fields newer Vault versions added to audit entries, as entry.ts and the JSON writers build
 * them: the ACL's verdict (`auth.policy_results`), the client id and the mount's class and running
 * version.
 */
import { BUILTIN_PLUGIN_VERSION } from '../lib/version.js';
import { clientIdOf } from './client-id.js';
import type { VaultPolicyResults } from './entry.js';
import type { AuditInput, PolicyResults } from './model.js';

/** The `policy_results` struct; its granting policies are ACL policies of the root namespace. */
export function policyResultsBlock(r: PolicyResults): VaultPolicyResults {
  const out: VaultPolicyResults = { allowed: r.allowed };
  if (r.grantingPolicies.length > 0) out.granting_policies = r.grantingPolicies.map((name) => ({ name, namespace_id: 'root', type: 'acl' }));
  return out;
}

/**
 * Vault's mount fields beyond point, type and accessor: every backend is built in (running version
 * BUILTIN_PLUGIN_VERSION, no sha256, not an external plugin: both left out as omitempty does), and
 * the mount's class is the plugin type of its table (`secret` or `auth`).
 */
export function mountRunningVersion(m: AuditInput['mount']): string | undefined {
  return m ? BUILTIN_PLUGIN_VERSION : undefined;
}

export function mountClass(m: AuditInput['mount']): string | undefined {
  return m?.table;
}

/** Vault's `request.client_id`: the caller's entity, or the hash of its policies (client-id.ts). */
export function clientIdOfInput(input: AuditInput): string | undefined {
  return input.token ? clientIdOf(input.token) : undefined;
}
