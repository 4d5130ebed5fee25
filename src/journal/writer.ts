/**
 * The journal's writes on one connection: appends (a transaction per batch, seqs returned in
 * order), imports that skip what is already there, and the retention purge. Used in the server's
 * indexer thread (indexer/indexer-worker.ts) and, for imports and tests, on the caller's thread.
 */
import type Database from 'better-sqlite3';
import { KEY_COLUMNS, type ImportOutcome, type JournalAppend, type JournalKeys } from './types.js';

export const KEY_ENTRIES = Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][];
const KEY_NAMES = KEY_ENTRIES.map(([name]) => name);
const INSERT_COLUMNS = ['time_ns', 'kind', ...KEY_ENTRIES.map(([, c]) => c), 'origin_file', 'origin_line', 'text'];

/** The INSERT's parameters, in INSERT_COLUMNS order (one array per record, filled in place). */
function insertParams(record: JournalAppend): unknown[] {
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
  /** Removes records older than `cutoffNs`; returns how many. */
  purgeBefore(cutoffNs: bigint): number;
}

export function createJournalWriter(db: Database.Database): JournalWriter {
  const insertAuto = db.prepare(`INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`);
  // A new journal's first record is seq 0 (the ledger's leaf 0); AUTOINCREMENT then continues at 1.
  const insertFirst = db.prepare(`INSERT INTO records (seq, ${INSERT_COLUMNS.join(', ')}) VALUES (0, ${INSERT_COLUMNS.map(() => '?').join(', ')})`);
  const sequenced = db.prepare("SELECT 1 FROM sqlite_sequence WHERE name = 'records'").pluck();
  // Once the sequence has a row it keeps it (even when retention empties the table): asked until then.
  let started = false;
  const insert = {
    run(params: unknown[]) {
      if (!started && sequenced.get() === undefined) {
        const result = insertFirst.run(params);
        started = true;
        return result;
      }
      started = true;
      return insertAuto.run(params);
    },
  };
  // The same kind and text means the same time (it is parsed from the text): one records_by_kind
  // probe. Only imported records count: a live one is never taken for an import's record.
  const present = db.prepare('SELECT 1 FROM records INDEXED BY records_by_kind WHERE kind = ? AND time_ns = ? AND text = ? AND origin_file IS NOT NULL LIMIT 1').pluck();
  const purge = db.prepare('DELETE FROM records WHERE time_ns < ?');
  const appendAll = db.transaction((records: readonly JournalAppend[]) => records.map((r) => Number(insert.run(insertParams(r)).lastInsertRowid)));
  const importAll = db.transaction((records: readonly JournalAppend[]): ImportOutcome => {
    let added = 0;
    for (const r of records) {
      if (present.get(r.kind, r.timeNs, r.text) !== undefined) continue;
      insert.run(insertParams(r));
      added++;
    }
    return { added, duplicates: records.length - added };
  });
  return {
    appendAll,
    // IMMEDIATE: the write lock is taken before the first probe, so no other writer can add the
    // same record between the probe and the insert.
    importAll: (records) => importAll.immediate(records),
    purgeBefore: db.transaction((cutoffNs: bigint) => purge.run(cutoffNs).changes),
  };
}
