/**
 * What exists only while the server is unsealed, as the core sees it: the token and policy stores
 * and the audit hooks (through the narrow interfaces of contract/consumed.ts), the mount table and
 * response wrapping. Built at unseal by the composition root, which may add services of its own;
 * torn down at seal.
 */
import type { LifecycleAudit, LifecyclePolicies, LifecycleTokens } from './contract/consumed.js';
import type { Mounts } from './mount-table.js';
import type { RateLimits } from './rate-limits.js';
import type { Wrapping } from './wrapping.js';

export interface CoreServices {
  tokens: LifecycleTokens;
  policies: LifecyclePolicies;
  audit: LifecycleAudit;
  mounts: Mounts;
  /** Response wrapping: wrapped responses and their single-use tokens. */
  wrapping: Wrapping;
  /** Rate limit quotas, which the edges consult before a request exists (absent in narrow test wirings). */
  quotas?: RateLimits;
  /** Stops what the services started and drops their caches, in order; called when sealing. */
  close(): Promise<void>;
  /**
   * True once close() has begun: a request whose request entry was recorded meanwhile is not
   * handled (the lifecycle). Absent in narrow test wirings, which never close.
   */
  readonly closing?: boolean;
}
