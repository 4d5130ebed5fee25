/**
 * What exists only while the server is unsealed, as the whole server sees it: the core's services
 * (tokens, policies, audit, mounts, wrapping) with each module's full interface, plus the KMS and
 * CloudTrail. Built at unseal (wiring.ts), torn down at seal by `close`.
 */
import type { AuditManager } from '../audit/index.js';
import type { PolicyStore, TokenStore } from '../auth/index.js';
import type { CoreServices, RateLimits } from '../core/index.js';
import type { KmsEngine } from '../kms/index.js';
import type { TrailManager, TrailRecorder } from '../trail/index.js';

/** CloudTrail: the durable event history, the recorder the AWS edge writes to, and trails. */
export interface TrailServices {
  recorder: TrailRecorder;
  trails: TrailManager;
  close(): Promise<void>;
}

export interface Services extends CoreServices {
  tokens: TokenStore;
  /** The background pass that removes expired tokens (stopped first when sealing). */
  tokenTidy: { stop(): Promise<void> };
  policies: PolicyStore;
  audit: AuditManager;
  kms: KmsEngine;
  trail: TrailServices;
  quotas: RateLimits;
}
