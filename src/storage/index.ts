/** Storage: the physical backends (SQLite, memory), the read cache and the encrypting barrier. */
export { storageView, getJson, putJson, encodeJson, decodeJson, type Storage, type PhysicalStorage, type StorageOp } from './types.js';
export { createMemoryStorage } from './memory/index.js';
export { createSqliteStorage, type SqliteStorageOptions } from './sqlite/index.js';
export { createPostgresStorage, createPostgresHaBackend, type PostgresHaBackend, type LockHolder, type HaNodeRow, redactUrl, DEFAULT_MAX_PARALLEL, DEFAULT_TABLE as DEFAULT_POSTGRES_TABLE, type PostgresStorage, type PostgresStorageOptions } from './postgresql/index.js';
export { cachedStorage, type CachedStorage } from './cache.js';
export { revocableStorage, type RevocableStorage } from './revocable.js';
export { persistentClusterId } from './cluster-id.js';
export * from './barrier/index.js';
/** The barrier's AEAD, for a module that encrypts records outside the barrier under its own key. */
export { importKey, sealValue, openValue, termOf } from './barrier/aead.js';
