export type { CreateTokenOptions, TokenStore } from './types.js';
export { createTokenStore, type ManagedTokenStore, type TokenStoreOptions } from './store.js';
export { tokenBackend, type TokenBackendDeps } from './backend.js';
export { issuedAuthFor, tokenDisplayName } from './create.js';
export { lookupData, remainingTtl } from './lookup-data.js';
export { sanitizePolicies, isPolicySubset } from './policies.js';
export { calculateTtl, DEFAULT_TOKEN_TTL, SYSTEM_MAX_TTL } from './ttl.js';
export { startTokenTidy, type TokenTidyOptions, type TokenTidySchedule } from './tidy-schedule.js';
export { stringField, stringListField } from './fields.js';
