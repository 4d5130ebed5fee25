/**
 * What exists only while the server is unsealed: the token store, policies, audit devices and the
 * mount table, all reading through the barrier. Built at unseal, torn down at seal.
 */
import type { AuditHooks } from '../audit/model.js';
import type { PolicyStore } from '../auth/policy/types.js';
import type { TokenStore } from '../auth/token/types.js';
import type { Mounts } from './mount-table.js';

/** The part of the audit manager the lifecycle and sys/ endpoints rely on. */
export interface AuditService {
  readonly hooks: AuditHooks;
  metricsText(): string;
  health(): { failingDevices: string[] };
  reopenAll(): Promise<void>;
  close(): Promise<void>;
}

export interface Services {
  tokens: TokenStore;
  policies: PolicyStore;
  audit: AuditService;
  mounts: Mounts;
}
