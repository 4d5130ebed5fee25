/** The journal: every record the server witnessed, in one correlated, searchable sequence. */
export { createJournalStore, type JournalStoreOptions } from './store.js';
export type { IndexerMessage } from './indexer/state.js';
export { spoolDirectory } from './spooled-appends.js';
export { fitsInFrame as fitsInJournalRecord } from './spool/frame.js';
export { readLedgerFile, prunePartials } from './ledger/ledger-dir.js';
export { createLedgerFollower, LEDGER_BATCH, type LedgerFollower, type LedgerHead } from './ledger/ledger-follower.js';
export { parseJournalQuery, parseTimeNs, KEY_PARAMETERS, LIST_PARAMETERS, QUERY_PARAMETERS, DEFAULT_PAGE, type ParsedQuery } from './filters.js';
export { searchJournal, recordView, type RecordView, type RecordParser, type SearchPage } from './search.js';
export { decodeCursor, encodeCursor, filterFingerprint } from './cursor.js';
export { timeline, TIMELINE_SUBJECTS, type Timeline, type TimelineGroup, type TimelineStart } from './timeline.js';
export * from './types.js';
export { exportRecords, exportJournalFile, exportJournalStore, EXPORT_PAGE } from './export.js';
export { openJournalFileRecords, type JournalFileRecords, type SeqRecord } from './file-records.js';
export { serverEvents, type ServerEvents, type ServerEventName } from './server-events.js';
export { vaultEntryKeys } from './extract/vault.js';
export { cloudTrailKeys } from './extract/cloudtrail.js';
export { capsuleAccessKeys, capsuleControlKeys } from './extract/capsule.js';
export { storedColumnsProblem, type StoredColumns } from './extract/stored-keys.js';
export {
  importFiles, IMPORT_FORMATS, type ImportFormat, type ImportOptions, type ImportProgress, type ImportSummary, type BadRecord,
} from './import/importer.js';
export { openImportWriter, type ImportWriter } from './import/import-writer.js';
export { InputsError } from './import/walk.js';
export { IMPORT_BATCH_RECORDS, MAX_LINE_BYTES } from './import/limits.js';
export { parseRfc3339Ns } from './import/time.js';
export type { JsonObject } from './extract/values.js';
export {
  createPostgresJournalStore, postgresLedgerFiles, readPostgresLedgerFile, readLedgerSize, MAX_COMMIT_RECORDS, POOL_CONNECTIONS,
  LEDGER_POOL_CONNECTIONS, CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, LEDGER_POLL_MS, type PostgresJournalOptions, type PostgresLedgerFiles,
} from './postgres/index.js';
