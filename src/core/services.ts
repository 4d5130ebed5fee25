/**
 * What exists only while the server is unsealed: the token store, policies, audit devices and the
 * mount table, all reading through the barrier. Built at unseal, torn down at seal.
 */
import type { AuditManager } from '../audit/manager.js';
import type { PolicyStore } from '../auth/policy/types.js';
import type { TokenStore } from '../auth/token/types.js';
import type { KmsEngine } from '../kms/index.js';
import type { TrailManager } from '../trail/delivery/trail-manager.js';
import type { TrailRecorder } from '../trail/model.js';
import type { Mounts } from './mount-table.js';
import type { Wrapping } from './wrapping.js';

/** CloudTrail: the durable event history, the recorder the AWS edge writes to, and trails. */
export interface TrailServices {
  recorder: TrailRecorder;
  trails: TrailManager;
  close(): Promise<void>;
}

export interface Services {
  tokens: TokenStore;
  /** The background pass that removes expired tokens (stopped first when sealing). */
  tokenTidy: { stop(): Promise<void> };
  policies: PolicyStore;
  audit: AuditManager;
  mounts: Mounts;
  kms: KmsEngine;
  trail: TrailServices;
  /** Response wrapping: wrapped responses and their single-use tokens. */
  wrapping: Wrapping;
}
