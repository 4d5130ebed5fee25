export type { CreateTokenOptions, TokenStore } from './types.js';
export { createTokenStore, type ManagedTokenStore, type TokenStoreOptions } from './store.js';
export { tokenBackend, type TokenBackendDeps } from './backend.js';
export { sanitizePolicies } from './policies.js';
export { startTokenTidy, type TokenTidyOptions, type TokenTidySchedule } from './tidy-schedule.js';
export { boolField, intField, stringField, stringListField } from './fields.js';
