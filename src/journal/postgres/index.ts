/** The journal and its ledger on PostgreSQL, shared by the nodes of a cluster. */
export { createPostgresJournalStore, MAX_COMMIT_RECORDS, type PostgresJournalOptions } from './pg-store.js';
export { POOL_CONNECTIONS, CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS } from './schema.js';
export { LEDGER_POLL_MS } from './ledger-pump.js';
export {
  readPostgresLedgerFile, readLedgerSize, readStoredCheckpoint, writeStoredCheckpoint, prunePostgresPartials,
} from './ledger-store.js';
export { postgresLedgerFiles, LEDGER_POOL_CONNECTIONS, type PostgresLedgerFiles } from './ledger-files.js';
