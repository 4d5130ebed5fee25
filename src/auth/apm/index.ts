/** The `apm` auth method: attestation login (Anjuna Policy Manager flow). */
export { apmBackend, APM_UNAUTHENTICATED_PATHS, type ApmBackendDeps } from './backend.js';
export { entityIdFor, displayNameFor, uuidV5, APM_ENTITY_NAMESPACE } from './identity.js';
export { createChallengeStore, CHALLENGE_BYTES, DEFAULT_MAX_CONSUMED, type ChallengeStore } from './challenges.js';
export { matchRoles, type RoleMatch, type RoleGrant } from './match.js';
export type { ApmRole } from './roles.js';
