/**
 * The journal store on SQLite. Appends arriving in the same turn of the event loop share one
 * transaction (group commit), and each append resolves only after that commit is durable. With
 * `appendThread` (the server) the transaction runs on the journal's own thread, so the thread
 * answering requests pays only for handing the batch over; reads run here on a second connection
 * (WAL lets them proceed while the thread writes). A record's seq is its rowid: dense from 1.
 */
import type Database from 'better-sqlite3';
import { startAppendThread, type AppendThread } from './append-thread.js';
import { openJournalDatabase } from './schema.js';
import { querySql } from './query.js';
import { createJournalWriter, KEY_ENTRIES } from './writer.js';
import type { JournalAppend, JournalKeys, JournalKind, JournalQuery, JournalRecord, JournalStore } from './types.js';

export interface JournalStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Commit appends on a thread of their own (the server does; ':memory:' cannot). */
  appendThread?: boolean;
  /** Sync every commit to the disk (survives a machine crash), not only to the WAL (default false). */
  fsync?: boolean;
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

function toRecord(row: Row): JournalRecord {
  const keys: JournalKeys = {};
  for (const [name, column] of KEY_ENTRIES) {
    const value = row[column];
    if (typeof value === 'string') (keys as Record<string, string>)[name] = value;
  }
  const record: JournalRecord = { seq: Number(row.seq), kind: row.kind, timeNs: row.time_ns, text: row.text, keys };
  if (row.origin_file !== null) record.origin = { file: row.origin_file, line: Number(row.origin_line) };
  return record;
}

export function createJournalStore(opts: JournalStoreOptions): JournalStore {
  const db: Database.Database = openJournalDatabase(opts.path, { fsync: opts.fsync });
  const writer = createJournalWriter(db);
  const thread: AppendThread | undefined = opts.appendThread && opts.path !== ':memory:' ? startAppendThread(opts.path, opts.fsync === true) : undefined;
  const lastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM records').pluck();
  const count = db.prepare('SELECT COUNT(*) FROM records').pluck();
  const since = db.prepare('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?').safeIntegers(true);

  let queue: Pending[] = [];
  let scheduled = false;
  const settle = (batch: Pending[], seqs: number[]) => batch.forEach((p, i) => p.resolve(seqs[i]));
  // Nothing of a failed batch was committed: every append in it fails, and its request with it.
  const fail = (batch: Pending[], err: unknown) => { for (const p of batch) p.reject(err); };
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = (): void => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const records = batch.map((p) => p.record);
    if (thread) {
      inFlight = thread.append(records).then((seqs) => settle(batch, seqs), (err: unknown) => fail(batch, err));
      return;
    }
    try {
      settle(batch, writer.appendAll(records));
    } catch (err) {
      fail(batch, err);
    }
  };

  const select = (q: JournalQuery): Row[] => {
    const { sql, params } = querySql(q);
    return db.prepare(sql).safeIntegers(true).all(...params) as Row[];
  };

  const retentionMs = opts.retentionMs ?? 0;
  const purgeExpired = (): number => (retentionMs > 0 && opts.clock ? writer.purgeBefore(BigInt(opts.clock.now() - retentionMs) * 1_000_000n) : 0);
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
    importBatch: (records) => writer.importAll(records),
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
      await inFlight;
      await thread?.close();
      db.close();
    },
  };
}
