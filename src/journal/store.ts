/**
 * The journal store on SQLite. A record's seq is its rowid: dense from 0, in the order records
 * enter the database (the ledger's leaf index is the seq).
 *
 * With `spool` (the server), an append is acknowledged once it is in the spool, an append-only
 * file written like an audit file device, and the indexer thread inserts it into the database
 * afterwards (spooled-appends.ts): the request pays for a write(2), not for SQLite's indexes.
 * Searches run on the reader thread (reader/reader.ts), within a deadline, so no query holds the
 * thread that answers requests; a query that must see every acknowledged record first awaits
 * `caughtUp`. Without a spool (tests, imports, ':memory:'), appends share transactions on this
 * thread (lib/group-commit.ts), and searches run here too. The retention's purge is one DELETE,
 * run by the indexer thread with a spool and on this thread without one.
 */
import type Database from 'better-sqlite3';
import type { IndexerMessage } from './indexer/state.js';
import { openJournalDatabase, PLACE_COLUMNS } from './schema.js';
import { createJournalReader, rowsWithin, type JournalReader } from './reader/reader.js';
import { querySql } from './query.js';
import { groupCommit } from '../lib/group-commit.js';
import { openSpooledAppends, type SpooledAppends } from './spooled-appends.js';
import { createJournalWriter, KEY_ENTRIES } from './writer.js';
import type { JournalAppend, JournalKeys, JournalKind, JournalPlace, JournalQuery, JournalRecord, JournalStore } from './types.js';

export interface JournalStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Acknowledge appends once spooled, index them on a thread of their own (the server does; ':memory:' cannot). */
  spool?: boolean;
  /** Sync every acknowledged append to the disk (survives a machine crash), not only to the page cache (default false). */
  fsync?: boolean;
  /** The indexer thread's nice value (default 19, the lowest priority). */
  indexerNice?: number;
  /** With a spool: the ledger's directory (the indexer thread appends every record to the ledger there). */
  ledgerDir?: string;
  /** What the indexer thread reports: failure episodes, their end, a corrupt spool segment, the ledger's head. */
  onIndexer?: (message: IndexerMessage) => void;
  /** Searches on a reader thread of their own, each within a deadline (default: with a spool). */
  readerThread?: boolean;
  /** Records whose time is older than this many ms are removed (0 or absent: kept for ever). */
  retentionMs?: number;
  /** Needed with a retention: its sweep runs hourly on an unref'd timer. */
  clock?: { now(): number };
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

interface PlaceRow {
  seq: bigint;
  time_ns: bigint;
  request_id: string | null;
  correlation_id: string | null;
  bytes: bigint;
}

function toPlace(row: PlaceRow): JournalPlace {
  const place: JournalPlace = { seq: Number(row.seq), timeNs: row.time_ns, bytes: Number(row.bytes) };
  if (row.request_id !== null) place.requestId = row.request_id;
  if (row.correlation_id !== null) place.correlationId = row.correlation_id;
  return place;
}

export function createJournalStore(opts: JournalStoreOptions): JournalStore {
  const db: Database.Database = openJournalDatabase(opts.path, { fsync: opts.fsync });
  const writer = createJournalWriter(db);
  const spooled: SpooledAppends | undefined = opts.spool && opts.path !== ':memory:'
    ? openSpooledAppends(db, { path: opts.path, fsync: opts.fsync === true, nice: opts.indexerNice ?? 19, ledgerDir: opts.ledgerDir, onIndexer: opts.onIndexer ?? (() => undefined) })
    : undefined;
  const lastSeq = db.prepare('SELECT COALESCE(MAX(seq), -1) AS seq FROM records').pluck();
  const count = db.prepare('SELECT COUNT(*) FROM records').pluck();
  const since = db.prepare('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?').safeIntegers(true);

  // Nothing of a failed batch is committed: every append in it fails, and its request with it.
  const commits = groupCommit((records: JournalAppend[]): void => { writer.appendAll(records); });

  const reader: JournalReader | undefined = (opts.readerThread ?? spooled !== undefined) && opts.path !== ':memory:' ? createJournalReader(opts.path) : undefined;
  const select = async (q: JournalQuery, columns?: string, maxChars = q.maxChars): Promise<Record<string, unknown>[]> => {
    const { sql, params } = querySql(q, columns);
    if (reader) return await reader.all(sql, params, maxChars);
    return rowsWithin(db.prepare(sql).safeIntegers(true).iterate(...params) as Iterable<Record<string, unknown>>, maxChars);
  };

  const retentionMs = opts.retentionMs ?? 0;
  const purgeNow = async (): Promise<number> => {
    if (retentionMs <= 0 || !opts.clock) return 0;
    const cutoffNs = BigInt(opts.clock.now() - retentionMs) * 1_000_000n;
    return spooled ? await spooled.purgeBefore(cutoffNs) : writer.purgeBefore(cutoffNs);
  };
  const sweep = retentionMs > 0 ? setInterval(() => {
    purgeNow().catch(() => { /* the next sweep retries */ });
  }, 3600_000) : undefined;
  sweep?.unref();

  let closed = false;
  return {
    append(record) {
      if (closed) return Promise.reject(new Error('journal closed'));
      if (spooled) return spooled.append(record);
      return commits.add(record);
    },
    caughtUp: (timeoutMs) => (spooled ? spooled.caughtUp(timeoutMs) : Promise.resolve(true)),
    importBatch: async (records) => writer.importAll(records),
    query: async (q) => (await select(q) as Row[]).map(toRecord),
    locate: async (q) => (await select(q, PLACE_COLUMNS, undefined) as unknown as PlaceRow[]).map(toPlace),
    readSince: async (afterSeq, limit) => (since.all(afterSeq, limit) as Row[]).map(toRecord),
    lastSeq: async () => Number(lastSeq.get()),
    count: async () => Number(count.get()),
    async explain(q) {
      const { sql, params } = querySql(q);
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    },
    purgeExpired: purgeNow,
    async close() {
      if (closed) return;
      clearInterval(sweep);
      commits.flush();
      closed = true;
      await spooled?.close();
      await reader?.close();
      db.close();
    },
  };
}
