/**
 * Searches over the store, in the shapes the API returns: pages with an opaque cursor (timelines:
 * timeline.ts).
 */
import { invalid } from '../errors/index.js';
import { rfc3339Nano } from '../lib/time.js';
import { decodeCursor, encodeCursor, filterFingerprint } from './cursor.js';
import type { ParsedQuery } from './filters.js';
import { KEY_COLUMNS, MAX_PAGE_CHARS, type JournalKeys, type JournalRecord, type JournalStore } from './types.js';

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
