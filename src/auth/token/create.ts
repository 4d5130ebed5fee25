/**
 * auth/token/create and create-orphan, with Vault's rules (token_store.go handleCreateCommon):
 * - a token with limited uses cannot create children;
 * - without `policies` the child inherits the parent's; otherwise, unless the caller has sudo on
 *   the path, the requested policies must be a subset of the parent's;
 * - `default` is added unless no_default_policy (for a non-sudo caller: only if the parent has it);
 * - a root child needs a root parent; an expiring root token cannot make a non-expiring one;
 * - `id`, `no_parent` and `period` need sudo (or root).
 */
import type { IssuedAuth, LogicalResponse, TokenEntry, PathRequest } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { goDuration } from '../../lib/time.js';
import type { PolicyStore } from '../policy/types.js';
import { boolField, durationField, intField, stringField, stringListField, stringMapField } from './fields.js';
import { remainingTtl } from './lookup-data.js';
import { isPolicySubset, nonAssignablePolicy, sanitizePolicies } from './policies.js';
import { MAX_DISPLAY_NAME_BYTES } from './store.js';
import type { TokenStore } from './types.js';

export interface CreateDeps {
  tokens: TokenStore;
  policies: PolicyStore;
}

/** The auth block of a create or renew response. */
export function issuedAuthFor(entry: TokenEntry, clientToken: string, nowMs: number): IssuedAuth {
  const lease = remainingTtl(entry, nowMs);
  return {
    clientToken,
    accessor: entry.accessor,
    policies: [...entry.policies],
    tokenPolicies: [...entry.policies],
    identityPolicies: [],
    metadata: { ...entry.meta },
    displayName: entry.displayName,
    entityId: entry.entityId,
    ttl: lease,
    explicitMaxTtl: entry.explicitMaxTtl,
    numUses: entry.numUses,
    renewable: entry.renewable,
    leaseDuration: lease,
    tokenType: entry.type,
    orphan: entry.orphan,
  };
}

/**
 * Vault: "token-" + display_name with anything but [a-zA-Z0-9-] replaced by "-", trailing "-" cut.
 * The bound is on what the caller sends; the prefix is the server's (store.ts allows for it).
 */
export function tokenDisplayName(requested: string): string {
  if (Buffer.byteLength(requested) > MAX_DISPLAY_NAME_BYTES) {
    throw invalid(`display_name is limited to ${MAX_DISPLAY_NAME_BYTES} bytes`, 'display_name_too_long');
  }
  if (requested === '') return 'token';
  return `token-${requested}`.replace(/[^a-zA-Z0-9-]/g, '-').replace(/-$/, '');
}

/** Whether the caller holds sudo on the request path (root tokens always do). */
export async function callerHasSudo(req: PathRequest, policies: PolicyStore): Promise<boolean> {
  if (!req.token) return false;
  const acl = await policies.acl(req.token.policies);
  return acl.check(req.logical.path, req.operation).sudo;
}

/** Every parameter handleCreate reads (PathSpec.fields): any other is named in a warning. */
export const CREATE_FIELDS: readonly string[] = [
  'display_name', 'entity_alias', 'explicit_max_ttl', 'id', 'lease', 'meta', 'no_default_policy', 'no_parent',
  'num_uses', 'period', 'policies', 'renewable', 'role_name', 'ttl', 'type',
];

export async function handleCreate(req: PathRequest, deps: CreateDeps, orphanPath: boolean, nowMs: number): Promise<LogicalResponse> {
  const parent = req.token;
  if (!parent) throw invalid('parent token lookup failed: no parent found', 'no_parent_token');
  if (parent.numUses > 0) throw invalid('restricted use token cannot generate child tokens', 'restricted_use_parent');
  const isSudo = await callerHasSudo(req, deps.policies);
  const d = req.data;

  const type = stringField(d, 'type');
  if (type === 'batch') throw invalid('batch tokens are not supported', 'unsupported_token_type');
  if (type !== '' && type !== 'service') throw invalid("invalid 'token_type' value", 'invalid_token_type');
  // Vault ties a token to an entity alias only through a token role, which this server has not.
  if (stringField(d, 'entity_alias') !== '') throw invalid("'entity_alias' is only allowed in combination with token role", 'entity_alias_without_role');
  const numUses = intField(d, 'num_uses');
  if (numUses < 0) throw invalid('number of uses cannot be negative', 'invalid_num_uses');
  const id = stringField(d, 'id');
  if (id !== '' && !isSudo) throw invalid('root or sudo privileges required to specify token id', 'sudo_required');
  const noDefault = boolField(d, 'no_default_policy') ?? false;
  const noParent = boolField(d, 'no_parent') ?? false;
  if (noParent && !isSudo) throw invalid('root or sudo privileges required to create orphan token', 'sudo_required');
  const period = durationField(d, 'period');
  if (period > 0 && !isSudo) throw invalid('root or sudo privileges required to create periodic token', 'sudo_required');
  const explicitMaxTtl = durationField(d, 'explicit_max_ttl');
  // `lease` is the ttl's old name, which Vault still reads when `ttl` is not given.
  const ttl = durationField(d, 'ttl') || durationField(d, 'lease');
  if (stringField(d, 'role_name') !== '') throw invalid('token roles are not supported', 'unsupported_token_role');

  const requested = stringListField(d, 'policies');
  let addDefault: boolean;
  let base: string[];
  if (requested.length === 0) {
    base = sanitizePolicies(parent.policies, false);
    addDefault = false;
  } else if (!isSudo) {
    const wanted = sanitizePolicies(requested, false);
    if (!isPolicySubset(sanitizePolicies(parent.policies, false), wanted)) {
      throw invalid('child policies must be subset of parent', 'policies_not_subset');
    }
    base = wanted;
    addDefault = !noDefault && parent.policies.includes('default');
  } else {
    base = requested;
    addDefault = !noDefault;
  }
  let policies = sanitizePolicies(base, addDefault);
  if (noDefault) policies = policies.filter((p) => p !== 'default');
  const reserved = nonAssignablePolicy(policies);
  if (reserved !== undefined) throw invalid(`cannot assign policy "${reserved}"`, 'policy_not_assignable');
  const isRoot = policies.includes('root');
  if (isRoot && !parent.policies.includes('root')) {
    throw invalid('root tokens may not be created without parent token being root', 'root_requires_root_parent');
  }
  if (isRoot && ttl === 0 && period === 0 && explicitMaxTtl === 0 && parent.ttl !== 0) {
    throw invalid('expiring root tokens cannot create non-expiring root tokens', 'root_ttl');
  }

  const { id: clientToken, entry } = await deps.tokens.create({
    parent,
    noParent: noParent || orphanPath,
    ...(id !== '' ? { id } : {}),
    path: `auth/token/${req.path}`,
    policies,
    metadata: stringMapField(d, 'meta'),
    displayName: tokenDisplayName(stringField(d, 'display_name')),
    numUses,
    ttl,
    explicitMaxTtl,
    period,
    renewable: boolField(d, 'renewable') ?? true,
    type: 'service',
  });

  const issuedAuth = issuedAuthFor(entry, clientToken, nowMs);
  const warnings: string[] = [];
  if (period === 0 && ttl > issuedAuth.ttl) {
    warnings.push(`TTL of "${goDuration(ttl)}" exceeded the effective max_ttl of "${goDuration(issuedAuth.ttl)}"; TTL value is capped accordingly`);
  }
  for (const p of entry.policies) {
    if (!(await deps.policies.get(p))) warnings.push(`Policy "${p}" does not exist`);
  }
  return { issuedAuth, startsSession: entry, ...(warnings.length ? { warnings } : {}) };
}
