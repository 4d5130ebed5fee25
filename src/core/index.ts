/**
 * The core, the front door other modules import through. Two layers:
 * - the contract (contract/): the types every module implements or reads — the logical request
 *   and response, mounts, tokens, the backend interface, path specs, the audit input and hooks,
 *   and the narrow interfaces of the modules the lifecycle consumes;
 * - the lifecycle: the orchestrator (Core, running lifecycle.ts), the mount table and response
 *   wrapping.
 */
export type {
  Operation, LogicalRequest, ConnectionTls, AuthGrant, IssuedAuth, LogicalResponse, MountConfig, MountTable, MountEntry, RenewalGrant, TokenType,
  TokenEntry, BackendRequest, BackendContext, Backend, RequestOutcome, OutcomeFacts, BackendFactory, SessionStart, PolicyChange,
} from './contract/types.js';
export { backendFromPaths, pathRouter, type PathRequest, type PathHandler, type PathSpec, type PathRouter } from './contract/paths.js';
export { AuditShared, type AuditInput, type AuditHooks, type PolicyResults, type RequestRuns } from './contract/audit.js';
export type { AclCheck, AclRequest, LifecycleAudit, LifecyclePolicies, LifecycleTokens, TokenMintRequest, TokenTtlLimits } from './contract/consumed.js';
export { RESPONSE_WRAPPING_POLICY_NAME, nonAssignablePolicy, sanitizePolicies } from './contract/policy-names.js';

export { Core, type CoreDeps, type CoreLog } from './core.js';
export type { CoreServices } from './services.js';
export type { LifecycleDeps, LifecycleLog } from './lifecycle.js';
export { Mounts, emptyMountConfig, type EnableMountInput, type MountedBackend, type MountTableDeps } from './mount-table.js';
export { createWrapping, isWrappingToken, MAX_WRAP_TTL_SECONDS, type Wrapping, type WrapLookup } from './wrapping.js';
export { responseHasContent } from './response.js';
export { requestStanding, type Standing } from './admission.js';
export {
  createRateLimits, rateLimitExceeded, DEFAULT_EXEMPT_PATHS, MAX_RATE_LIMIT_QUOTAS, MAX_EXEMPT_PATHS, MAX_TRACKED_CLIENTS,
  type RateLimits, type RateLimitQuota, type RateLimitQuotaInput, type RateLimitDecision, type QuotaConfig,
} from './rate-limits.js';
export { httpMethodOf } from './sessions.js';
