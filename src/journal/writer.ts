/**
 * The journal's writes on one connection: appends (a transaction per batch, seqs returned in
 * order), imports that skip what is already there, and the retention purge. Used in the server's
 * indexer thread (indexer/indexer-worker.ts) and, for imports and tests, on the caller's thread.
 */
import type Database from 'better-sqlite3';
import { textDigest } from './text-digest.js';
import { KEY_COLUMNS, type ImportOutcome, type JournalAppend, type JournalKeys } from './types.js';

export const KEY_ENTRIES = Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][];
const KEY_NAMES = KEY_ENTRIES.map(([name]) => name);
const INSERT_COLUMNS = ['time_ns', 'kind', ...KEY_ENTRIES.map(([, c]) => c), 'origin_file', 'origin_line', 'text'];

/**
 * A record as the INSERT takes it: its values in INSERT_COLUMNS order — time, kind, the keys (in
 * KEY_COLUMNS order), origin file and line, text. The text may also be its UTF-8 bytes.
 */
export type InsertRow = unknown[];
const TIME = 0;
const KIND = 1;
const TEXT = INSERT_COLUMNS.length - 1;

/** The record's INSERT row (one array per record, filled in place). */
export function insertRow(record: JournalAppend): InsertRow {
  const params: unknown[] = new Array(INSERT_COLUMNS.length);
  params[0] = record.timeNs;
  params[1] = record.kind;
  const keys = record.keys;
  let i = 2;
  for (const name of KEY_NAMES) params[i++] = keys[name] ?? null;
  params[i++] = record.origin?.file ?? null;
  params[i++] = record.origin?.line ?? null;
  params[i] = record.text;
  return params;
}

export interface JournalWriter {
  /** One transaction; returns each record's seq. Throws (nothing committed) on failure. */
  appendAll(records: readonly JournalAppend[]): number[];
  /** One transaction; skips every record whose kind and text are already in the journal (or earlier in the batch). */
  importAll(records: readonly JournalAppend[]): ImportOutcome;
  /** importAll for records already made rows (see InsertRow). */
  importRows(rows: readonly InsertRow[]): ImportOutcome;
  /**
   * Removes records older than `cutoffNs`, in one DELETE; returns how many. With `belowSeq`, only
   * those with a smaller seq (the ledger's size: a record leaves the journal after it entered the ledger).
   */
  purgeBefore(cutoffNs: bigint, belowSeq?: number): number;
}

/**
 * How many imported records of a batch's time span an import loads (their times only) to learn
 * which of its records may already be there; past it, every record is probed on its own.
 */
const IMPORT_SPAN_TIMES = 50_000;

export function createJournalWriter(db: Database.Database): JournalWriter {
  // A new journal's first record is seq 0 (the ledger's leaf 0): while the sequence has no row,
  // the seq is given as 0; then as NULL, which AUTOINCREMENT numbers. Decided inside the statement,
  // so a first transaction rolled back leaves the next one to be seq 0 again.
  const seq = "(SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'records') THEN NULL ELSE 0 END)";
  // A text given as bytes is cast back to TEXT: SQLite takes the UTF-8 as it is, no string is made.
  const values = INSERT_COLUMNS.map((c) => (c === 'text' ? 'CAST(? AS TEXT)' : '?'));
  const insert = db.prepare(`INSERT INTO records (seq, ${INSERT_COLUMNS.join(', ')}) VALUES (${seq}, ${values.join(', ')})`);
  // An imported record also keeps its text's digest (text-digest.ts), the last parameter.
  const insertImported = db.prepare(`INSERT INTO records (seq, ${INSERT_COLUMNS.join(', ')}, text_digest) VALUES (${seq}, ${values.join(', ')}, ?)`);
  // The same kind and text means the same time (it is parsed from the text) and the same digest:
  // one records_imported_text probe, whose entries lead to the stored records of that digest
  // alone (almost always none or the one), however many share the time; their texts are then
  // compared in full. Only imported records count: a live one is never taken for an import's record.
  const present = db.prepare('SELECT 1 FROM records INDEXED BY records_imported_text WHERE kind = ? AND time_ns = ? AND text_digest = ? AND origin_file IS NOT NULL AND text = CAST(? AS TEXT) LIMIT 1').pluck();
  // The times of the imported records within a batch's span, from records_imported alone: a
  // record whose time is not among them (nor among the batch's own) is new without a probe.
  const importedTimes = db.prepare('SELECT time_ns FROM records INDEXED BY records_imported WHERE origin_file IS NOT NULL AND time_ns BETWEEN ? AND ? LIMIT ?').pluck().safeIntegers(true);
  // By time: the oldest end of one index, whatever the seq bound (every seq is usually below it).
  const purge = db.prepare('DELETE FROM records INDEXED BY records_by_time WHERE time_ns < ? AND seq < ?');
  const appendAll = db.transaction((records: readonly JournalAppend[]) => records.map((r) => Number(insert.run(insertRow(r)).lastInsertRowid)));
  const importRows = db.transaction((rows: readonly InsertRow[]): ImportOutcome => {
    if (rows.length === 0) return { added: 0, duplicates: 0 };
    let from = rows[0][TIME] as bigint;
    let to = from;
    for (const row of rows) {
      const time = row[TIME] as bigint;
      if (time < from) from = time;
      if (time > to) to = time;
    }
    const times = importedTimes.all(from, to, IMPORT_SPAN_TIMES + 1) as bigint[];
    // Undefined: too many to hold, probe every record.
    const taken = times.length > IMPORT_SPAN_TIMES ? undefined : new Set(times);
    let added = 0;
    for (const row of rows) {
      const time = row[TIME] as bigint;
      const text = row[TEXT] as string | Uint8Array;
      const digest = textDigest(text);
      if ((taken === undefined || taken.has(time)) && present.get(row[KIND], time, digest, text) !== undefined) continue;
      insertImported.run(row, digest);
      taken?.add(time);
      added++;
    }
    return { added, duplicates: rows.length - added };
  });
  return {
    appendAll,
    // IMMEDIATE: the write lock is taken before the first probe, so no other writer can add the
    // same record between the probe and the insert.
    importAll: (records) => importRows.immediate(records.map(insertRow)),
    importRows: (rows) => importRows.immediate(rows),
    purgeBefore: (cutoffNs, belowSeq = Number.MAX_SAFE_INTEGER) => purge.run(cutoffNs, belowSeq).changes,
  };
}
