/**
 * What exists only while the server is unsealed: the token store, policies, audit devices and the
 * mount table, all reading through the barrier. Built at unseal, torn down at seal.
 */
import type { AuditManager } from '../audit/manager.js';
import type { PolicyStore } from '../auth/policy/types.js';
import type { TokenStore } from '../auth/token/types.js';
import type { Mounts } from './mount-table.js';

export interface Services {
  tokens: TokenStore;
  policies: PolicyStore;
  audit: AuditManager;
  mounts: Mounts;
}
