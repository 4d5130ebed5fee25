/** The journal: every record the server witnessed, in one correlated, searchable sequence. */
export { createJournalStore, type JournalStoreOptions } from './store.js';
export * from './types.js';
export { vaultEntryKeys } from './extract/vault.js';
export { cloudTrailKeys } from './extract/cloudtrail.js';
export { capsuleAccessKeys, capsuleControlKeys } from './extract/capsule.js';
export {
  importFiles, IMPORT_FORMATS, type ImportFormat, type ImportOptions, type ImportProgress, type ImportSummary, type BadRecord,
} from './import/importer.js';
export { IMPORT_BATCH_RECORDS, MAX_LINE_BYTES } from './import/limits.js';
export { parseRfc3339Ns } from './import/time.js';
