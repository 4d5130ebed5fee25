/** The journal: every record the server witnessed, in one correlated, searchable sequence. */
export { createJournalStore, type JournalStoreOptions } from './store.js';
export * from './types.js';
