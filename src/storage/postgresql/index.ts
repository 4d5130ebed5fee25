export { createPostgresStorage, DEFAULT_MAX_PARALLEL, type PostgresStorage, type PostgresStorageOptions } from './pg-storage.js';
export { DEFAULT_TABLE } from './schema.js';
export { redactUrl } from './pg-errors.js';
export { createPostgresHaBackend, type PostgresHaBackend, type LockHolder, type HaNodeRow } from './ha-backend.js';
