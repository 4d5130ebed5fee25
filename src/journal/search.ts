/**
 * Searches and timelines over the store, in the shapes the API returns: pages with an opaque
 * cursor, and a timeline — every record of the requests a subject took part in, oldest first,
 * grouped per request.
 */
import { invalid } from '../errors/index.js';
import { rfc3339Nano } from '../lib/time.js';
import { decodeCursor, encodeCursor, filterFingerprint } from './cursor.js';
import type { ParsedQuery } from './filters.js';
import { KEY_COLUMNS, MAX_PAGE, MAX_PAGE_CHARS, type JournalFilter, type JournalKeys, type JournalRecord, type JournalStore } from './types.js';

/** A record as the API shows it: its keys in snake_case, and the record itself as JSON. */
export interface RecordView {
  seq: number;
  time: string;
  kind: string;
  [key: string]: unknown;
  imported: { file: string; line: number } | null;
}

/** Parses a record's text for the response (a number keeps the digits the parser keeps). */
export type RecordParser = (text: string) => unknown;

/** `parse` absent: the record's text is returned as is, under `text`. */
export function recordView(r: JournalRecord, parse?: RecordParser): RecordView {
  const view: RecordView = { seq: r.seq, time: rfc3339Nano(r.timeNs), kind: r.kind, imported: r.origin ?? null };
  for (const [name, column] of Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][]) view[column] = r.keys[name] ?? null;
  if (parse) view.record = parse(r.text);
  else view.text = r.text;
  return view;
}

export interface SearchPage {
  records: JournalRecord[];
  nextCursor: string | null;
}

const charsOf = (records: readonly JournalRecord[]) => records.reduce((n, r) => n + r.text.length, 0);

/**
 * A page of at most `limit` records and MAX_PAGE_CHARS characters of their text (a single larger
 * record is a page of its own), with a cursor to the rest.
 */
export async function searchJournal(store: JournalStore, q: ParsedQuery): Promise<SearchPage> {
  if (q.filter.afterSeq !== undefined) {
    // Following arrivals: the next page is simply after the last seq, so no cursor is needed.
    if (q.cursor !== undefined) throw invalid('"cursor" and "after_seq" do not go together: page by after_seq', 'journal_invalid_filter');
    return { records: await store.query({ ...q.filter, order: 'asc', limit: q.limit, maxChars: MAX_PAGE_CHARS }), nextCursor: null };
  }
  const fingerprint = filterFingerprint(q.filter, q.order);
  const state = q.cursor !== undefined ? decodeCursor(q.cursor, fingerprint) : undefined;
  const throughSeq = state?.throughSeq ?? await store.lastSeq();
  const rows = await store.query({ ...q.filter, order: q.order, limit: q.limit + 1, after: state?.after, throughSeq, maxChars: MAX_PAGE_CHARS });
  // The store stopped at the record that passed the budget: that one opens the next page.
  const cut = charsOf(rows) > MAX_PAGE_CHARS;
  const records = cut && rows.length > 1 ? rows.slice(0, Math.min(q.limit, rows.length - 1)) : rows.slice(0, q.limit);
  const last = records.at(-1);
  const nextCursor = (cut || rows.length > q.limit) && last ? encodeCursor({ after: { timeNs: last.timeNs, seq: last.seq }, throughSeq }, fingerprint) : null;
  return { records, nextCursor };
}

/** What a timeline follows: exactly one of these. */
export const TIMELINE_SUBJECTS = ['entity_id', 'accessor', 'correlation_id', 'request_id'] as const;

export interface TimelineGroup {
  requestId: string | null;
  records: JournalRecord[];
}

export interface Timeline {
  groups: TimelineGroup[];
  /** More records matched than `limit` (or than MAX_PAGE_CHARS of text): the oldest are shown. */
  truncated: boolean;
  /**
   * When truncated: the time of the first record not shown, the `since` of the next part (a
   * record of that very nanosecond already shown is shown again, never skipped).
   */
  nextSinceNs?: bigint;
}

/** A timeline's time bounds (inclusive): the subject's records and those it joins by correlation id. */
export interface TimelineRange {
  sinceNs?: bigint;
  untilNs?: bigint;
}

/** Most requests one timeline joins in a single query (SQLite's bound-parameter budget). */
const JOIN_BATCH = 500;

/**
 * Every record of the requests `subject` took part in within `range`, oldest first: its own
 * records, those of requests sharing its correlation ids (in the range too), and the whole of each
 * of those requests (a request that straddles a bound is shown whole). A timeline longer than
 * `limit` goes on from `nextSinceNs`.
 */
export async function timeline(store: JournalStore, subject: NonNullable<JournalFilter['keys']>, limit = MAX_PAGE, range: TimelineRange = {}): Promise<Timeline> {
  if (Object.values(subject).filter((v) => v !== undefined).length !== 1) {
    throw invalid(`a timeline follows exactly one of ${TIMELINE_SUBJECTS.join(', ')}`, 'journal_invalid_filter');
  }
  const throughSeq = await store.lastSeq();
  // Every query of the timeline draws on one budget of text; once it is spent, none is made.
  let chars = 0;
  const budget = () => Math.max(0, MAX_PAGE_CHARS - chars);
  const seeds = await store.query({ keys: subject, ...range, order: 'asc', limit: limit + 1, throughSeq, maxChars: budget() });
  chars += charsOf(seeds);
  const bySeq = new Map<number, JournalRecord>(seeds.map((r) => [r.seq, r]));
  const add = (records: readonly JournalRecord[]) => {
    for (const r of records) if (!bySeq.has(r.seq)) { bySeq.set(r.seq, r); chars += r.text.length; }
  };
  // An attestation's correlation id brings in its challenge (init), which no token or entity names.
  const correlationIds = new Set(seeds.map((r) => r.keys.correlationId).filter((id): id is string => id !== undefined));
  if (subject.correlationId !== undefined) correlationIds.delete(subject.correlationId);
  for (const id of [...correlationIds].slice(0, limit)) {
    if (budget() === 0) break;
    add(await store.query({ keys: { correlationId: id }, ...range, order: 'asc', limit: limit + 1, throughSeq, maxChars: budget() }));
  }
  const requestIds = [...new Set([...bySeq.values()].map((r) => r.keys.requestId).filter((id): id is string => id !== undefined))];
  for (let i = 0; i < requestIds.length && budget() > 0; i += JOIN_BATCH) {
    add(await store.query({ requestIds: requestIds.slice(i, i + JOIN_BATCH), order: 'asc', limit: limit + 1, throughSeq, maxChars: budget() }));
  }
  const overBudget = chars > MAX_PAGE_CHARS;
  const all = [...bySeq.values()].sort((a, b) => (a.timeNs === b.timeNs ? a.seq - b.seq : a.timeNs < b.timeNs ? -1 : 1));
  const shown = all.slice(0, limit);
  const groups: TimelineGroup[] = [];
  const open = new Map<string, TimelineGroup>();
  for (const r of shown) {
    const id = r.keys.requestId;
    let group = id !== undefined ? open.get(id) : undefined;
    if (!group) {
      group = { requestId: id ?? null, records: [] };
      groups.push(group);
      if (id !== undefined) open.set(id, group);
    }
    group.records.push(r);
  }
  const truncated = all.length > limit || overBudget;
  // Over the text budget with fewer than `limit` records, the next part starts after the last shown.
  const next = all.length > limit ? all[limit] : overBudget ? shown.at(-1) : undefined;
  return { groups, truncated, ...(truncated && next ? { nextSinceNs: next.timeNs } : {}) };
}
