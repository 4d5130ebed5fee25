/**
 * What the lifecycle needs from the token store, the policy store and the audit module, declared
 * by the core so that it imports none of them: each module implements the wider interface of its
 * own, and the composition root hands the implementations in.
 */
import type { AuditHooks } from './audit.js';
import type { AuthGrant, Operation, TokenEntry } from './types.js';

/** The lease bounds a token is held to, in seconds. */
export interface TokenTtlLimits {
  /** The ttl of a token that asks for none. */
  defaultTtl: number;
  /** No token lives longer than this from its creation (a periodic one: than this per period). */
  maxTtl: number;
}

/** A token the core mints: for a login response, or a response-wrapping token. */
export interface TokenMintRequest extends Partial<AuthGrant> {
  path: string;
  noParent?: boolean;
  /** Bounds instead of those of the mount serving `path` (a response-wrapping token's are the wrap's own). */
  limits?: TokenTtlLimits;
}

export interface LifecycleTokens {
  lookup(id: string): Promise<TokenEntry | undefined>;
  /**
   * Counts one use. Rejects when no use is left. On the last (`lastUse`), the token serves only
   * the request that spent it, which calls `revokeSpent` once it is done (Vault revokes a token
   * after its final request, so that request still reads what belongs to the token).
   */
  use(entry: TokenEntry): Promise<{ remainingUses: number; lastUse: boolean }>;
  revokeSpent(entry: TokenEntry): Promise<void>;
  create(request: TokenMintRequest): Promise<{ id: string; entry: TokenEntry }>;
  /** Revokes one token without its children (a login token that must not outlive a failure). */
  revokeOrphan(entry: TokenEntry): Promise<void>;
}

/** The request values an ACL rule's parameter and wrapping constraints look at. */
export interface AclRequest {
  data: Readonly<Record<string, unknown>>;
  /** Requested response-wrapping TTL in seconds; 0 for none. */
  wrapTtl: number;
  /** The parameters the path's handler splits on commas, when the path says (Backend.listParameters). */
  listParameters?: readonly string[];
}

export interface AclCheck {
  check(path: string, operation: Operation, request?: AclRequest): { allowed: boolean; sudo: boolean; grantingPolicies?: readonly string[] };
  /** The capabilities the ACL grants on a path (`deny` when it denies). */
  capabilities(path: string): readonly string[];
}

export interface LifecyclePolicies {
  /** The ACL of a set of policy names; unknown names are ignored. */
  acl(policyNames: readonly string[]): Promise<AclCheck>;
}

export interface LifecycleAudit {
  readonly hooks: AuditHooks;
}
