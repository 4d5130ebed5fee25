/**
 * The journal store on SQLite: appends arriving in the same turn of the event loop share one
 * transaction (group commit), and each append resolves only after that commit is durable.
 * A record's seq is its rowid: dense from 1, because records are never deleted out of order.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openJournalDatabase } from './schema.js';
import { indexedPrefixes, querySql } from './query.js';
import {
  KEY_COLUMNS, type ImportOutcome, type JournalAppend, type JournalKeys, type JournalKind, type JournalOutcome,
  type JournalQuery, type JournalRecord, type JournalStore,
} from './types.js';

export interface JournalStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Records whose time is older than this many ms are removed (0 or absent: kept for ever). */
  retentionMs?: number;
  /** Needed with a retention: its sweep runs hourly on an unref'd timer. */
  clock?: { now(): number };
}

interface Pending {
  record: JournalAppend;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

interface Row {
  seq: bigint;
  time_ns: bigint;
  kind: JournalKind;
  text: string;
  origin_file: string | null;
  origin_line: bigint | null;
  [column: string]: unknown;
}

const KEY_ENTRIES = Object.entries(KEY_COLUMNS) as [keyof JournalKeys, string][];
const INSERT_COLUMNS = ['time_ns', 'kind', 'digest', ...KEY_ENTRIES.map(([, c]) => c), 'origin_file', 'origin_line', 'text'];

function digestOf(record: JournalAppend): Buffer {
  return createHash('sha256').update(record.kind).update('\n').update(record.text).digest();
}

function insertParams(record: JournalAppend): unknown[] {
  const params: unknown[] = [record.timeNs, record.kind, digestOf(record)];
  for (const [name] of KEY_ENTRIES) params.push(record.keys[name] ?? null);
  params.push(record.origin?.file ?? null, record.origin?.line ?? null, record.text);
  return params;
}

function toRecord(row: Row): JournalRecord {
  const keys: JournalKeys = {};
  for (const [name, column] of KEY_ENTRIES) {
    const value = row[column];
    if (typeof value === 'string') (keys as Record<string, string>)[name] = value;
  }
  if (keys.outcome !== undefined) keys.outcome = keys.outcome as JournalOutcome;
  const record: JournalRecord = { seq: Number(row.seq), kind: row.kind, timeNs: row.time_ns, text: row.text, keys };
  if (row.origin_file !== null) record.origin = { file: row.origin_file, line: Number(row.origin_line) };
  return record;
}

export function createJournalStore(opts: JournalStoreOptions): JournalStore {
  const db: Database.Database = openJournalDatabase(opts.path);
  const placeholders = INSERT_COLUMNS.map(() => '?').join(', ');
  const insert = db.prepare(`INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders})`);
  const insertIfNew = db.prepare(`INSERT OR IGNORE INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders})`);
  const lastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM records').pluck();
  const count = db.prepare('SELECT COUNT(*) FROM records').pluck();
  const since = db.prepare('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?').safeIntegers(true);

  const insertPrefix = db.prepare('INSERT INTO record_prefixes (prefix, time_ns, seq) VALUES (?, ?, ?)');
  const indexPath = (r: JournalAppend, seq: number | bigint): void => {
    if (r.keys.path !== undefined) for (const prefix of indexedPrefixes(r.keys.path)) insertPrefix.run(prefix, r.timeNs, seq);
  };

  const appendAll = db.transaction((records: readonly JournalAppend[]) =>
    records.map((r) => {
      const seq = insert.run(...insertParams(r)).lastInsertRowid;
      indexPath(r, seq);
      return Number(seq);
    }));
  const importAll = db.transaction((records: readonly JournalAppend[]): ImportOutcome => {
    let added = 0;
    for (const r of records) {
      const result = insertIfNew.run(...insertParams(r));
      if (result.changes === 0) continue;
      indexPath(r, result.lastInsertRowid);
      added++;
    }
    return { added, duplicates: records.length - added };
  });

  let queue: Pending[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      const seqs = appendAll(batch.map((p) => p.record));
      batch.forEach((p, i) => p.resolve(seqs[i]));
    } catch (err) {
      // Nothing of the batch was committed: every append in it fails, and its request with it.
      for (const p of batch) p.reject(err);
    }
  };

  const select = (q: JournalQuery): Row[] => {
    const { sql, params } = querySql(q);
    return db.prepare(sql).safeIntegers(true).all(...params) as Row[];
  };

  const purgeStatements = [
    db.prepare('DELETE FROM record_prefixes WHERE time_ns < ?'),
    db.prepare('DELETE FROM records WHERE time_ns < ?'),
  ];
  const purge = db.transaction((cutoffNs: bigint) => purgeStatements.map((st) => st.run(cutoffNs).changes).at(-1) ?? 0);
  const retentionMs = opts.retentionMs ?? 0;
  const purgeExpired = (): number => (retentionMs > 0 && opts.clock ? purge(BigInt(opts.clock.now() - retentionMs) * 1_000_000n) : 0);
  const sweep = retentionMs > 0 ? setInterval(() => {
    try { purgeExpired(); } catch { /* the next sweep retries */ }
  }, 3600_000) : undefined;
  sweep?.unref();

  let closed = false;
  return {
    append(record) {
      if (closed) return Promise.reject(new Error('journal closed'));
      return new Promise<number>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    importBatch: (records) => importAll(records),
    query: (q) => select(q).map(toRecord),
    readSince: (afterSeq, limit) => (since.all(afterSeq, limit) as Row[]).map(toRecord),
    lastSeq: () => Number(lastSeq.get()),
    count: () => Number(count.get()),
    explain(q) {
      const { sql, params } = querySql(q);
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    },
    purgeExpired,
    async close() {
      if (closed) return;
      clearInterval(sweep);
      flush();
      closed = true;
      db.close();
    },
  };
}
