/** The `apm` auth method: attestation login (Anjuna Policy Manager flow). */
export { apmBackend, APM_UNAUTHENTICATED_PATHS, type ApmBackendDeps } from './backend.js';
export { entityIdFor, uuidV5 } from './identity.js';
export { createChallengeStore, type ChallengeSource, type ChallengeStore } from './challenges.js';
export type { RoleMatch, RoleGrant } from './match.js';
export type { ApmRole } from './roles.js';
