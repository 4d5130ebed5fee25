/**
 * The journal's writes on one connection: appends (a transaction per batch, seqs returned in
 * order), imports that skip what is already there, and the retention purge. Used in the server's
 * indexer thread (indexer/indexer-worker.ts) and, for imports and tests, on the caller's thread.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { indexedPrefixes } from './query.js';
import { KEY_COLUMNS, type ImportOutcome, type JournalAppend, type JournalKeys } from './types.js';

export const KEY_ENTRIES = Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][];
const INSERT_COLUMNS = ['time_ns', 'kind', 'digest', ...KEY_ENTRIES.map(([, c]) => c), 'origin_file', 'origin_line', 'text'];

/** An imported record's identity: SHA-256 of its kind and text (live records need none). */
function digestOf(record: JournalAppend): Buffer {
  return createHash('sha256').update(record.kind).update('\n').update(record.text).digest();
}

function insertParams(record: JournalAppend): unknown[] {
  const params: unknown[] = [record.timeNs, record.kind, record.origin ? digestOf(record) : null];
  for (const [name] of KEY_ENTRIES) params.push(record.keys[name] ?? null);
  params.push(record.origin?.file ?? null, record.origin?.line ?? null, record.text);
  return params;
}

export interface JournalWriter {
  /** One transaction; returns each record's seq. Throws (nothing committed) on failure. */
  appendAll(records: readonly JournalAppend[]): number[];
  importAll(records: readonly JournalAppend[]): ImportOutcome;
  /** Removes records older than `cutoffNs`; returns how many. */
  purgeBefore(cutoffNs: bigint): number;
}

export function createJournalWriter(db: Database.Database): JournalWriter {
  const placeholders = INSERT_COLUMNS.map(() => '?').join(', ');
  const insert = db.prepare(`INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders})`);
  const insertIfNew = db.prepare(`INSERT OR IGNORE INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders})`);
  const insertPrefix = db.prepare('INSERT INTO record_prefixes (prefix, time_ns, seq) VALUES (?, ?, ?)');
  const indexPath = (r: JournalAppend, seq: number | bigint): void => {
    if (r.keys.path !== undefined) for (const prefix of indexedPrefixes(r.keys.path)) insertPrefix.run(prefix, r.timeNs, seq);
  };
  const purgeStatements = [
    db.prepare('DELETE FROM record_prefixes WHERE time_ns < ?'),
    db.prepare('DELETE FROM records WHERE time_ns < ?'),
  ];
  return {
    appendAll: db.transaction((records: readonly JournalAppend[]) =>
      records.map((r) => {
        const seq = insert.run(...insertParams(r)).lastInsertRowid;
        indexPath(r, seq);
        return Number(seq);
      })),
    importAll: db.transaction((records: readonly JournalAppend[]): ImportOutcome => {
      let added = 0;
      for (const r of records) {
        const result = insertIfNew.run(...insertParams(r));
        if (result.changes === 0) continue;
        indexPath(r, result.lastInsertRowid);
        added++;
      }
      return { added, duplicates: records.length - added };
    }),
    purgeBefore: db.transaction((cutoffNs: bigint) => purgeStatements.map((st) => st.run(cutoffNs).changes).at(-1) ?? 0),
  };
}
