/** ACL policies' contract with the core lifecycle. */
import type { Operation } from '../../core/index.js';
import type { ConstrainedRequest } from './parameters.js';

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny' | 'patch' | 'subscribe';

export interface AclDecision {
  allowed: boolean;
  /** The path also grants sudo (needed for root-protected paths such as sys/audit*). */
  sudo: boolean;
  /** Capabilities granted on the path (for sys/capabilities-self). */
  capabilities: Capability[];
  /** The policies that granted the operation, in policy order (empty when refused or for help). */
  grantingPolicies: readonly string[];
}

export interface Acl {
  /**
   * Whether `operation` on `path` (full path below /v1/) is allowed. Given the request's data and
   * wrapping TTL, the chosen rule's parameter and wrapping constraints must hold too; without
   * them (an internal check of a capability, such as sudo) only the capability counts.
   */
  check(path: string, operation: Operation, request?: ConstrainedRequest): AclDecision;
  capabilities(path: string): Capability[];
  /**
   * Whether the ACL grants anything (not deny) on `mountPath` (`secret/`) or on some path below it:
   * Vault's hasMountAccess, which decides what sys/internal/ui/mounts may tell a token.
   */
  grantsUnder(mountPath: string): boolean;
}

export interface PolicyStore {
  /** Builds (and caches) the ACL for a set of policy names; unknown names are ignored. */
  acl(policyNames: readonly string[]): Promise<Acl>;
  get(name: string): Promise<{ name: string; policy: string } | undefined>;
  /** Parses, validates (clear 400 on bad HCL/JSON) and stores a policy. `root` is immutable. */
  put(name: string, policyText: string): Promise<void>;
  delete(name: string): Promise<void>;
  list(): Promise<string[]>;
  clearCache(): void;
}
