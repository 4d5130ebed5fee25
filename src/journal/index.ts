/** The journal: every record the server witnessed, in one correlated, searchable sequence. */
export { createJournalStore, type JournalStoreOptions } from './store.js';
export { parseJournalQuery, parseTimeNs, KEY_PARAMETERS, QUERY_PARAMETERS, DEFAULT_PAGE, type ParsedQuery } from './filters.js';
export { searchJournal, timeline, recordView, TIMELINE_SUBJECTS, type RecordView, type RecordParser, type SearchPage, type Timeline, type TimelineGroup } from './search.js';
export * from './types.js';
export { serverEvents, type ServerEvents, type ServerEventName } from './server-events.js';
