/**
 * The journal's SQLite schema: one row per record, the record's text as formatted, and a column
 * per extracted key. Results are in time order (imported records take their place in history),
 * so each filterable key has a partial index on (key, time_ns) — SQLite appends the rowid `seq`,
 * making it (key, time_ns, seq), the query order — and every filter is one index range scan,
 * stopped by LIMIT. Partial, because most records carry only some keys: a record pays only for
 * the indexes it appears in. Path prefixes are indexed by segment in `record_prefixes`.
 *
 * `seq` is AUTOINCREMENT: a seq is never reused, even after retention removed every record.
 * `digest` (SHA-256 of kind and text) is an imported record's identity: importing what is already
 * there adds nothing. Live records have none — each is made once — which spares every append a
 * hash and a random-order index insert. Failures have an index of their own (the minority);
 * successes are found by scanning in time order.
 *
 * `spool_state` is how far the indexer has read the spool (spool/): it moves in the same
 * transaction as the records it covers.
 */
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { makeDirectorySync } from '../lib/make-dir.js';

/** Key columns with an index of their own (the path index also serves prefixes). */
export const INDEXED_KEY_COLUMNS = [
  'request_id', 'accessor', 'entity_id', 'correlation_id', 'access_key_id', 'user_arn', 'key_arn',
  'capsule', 'remote_address',
] as const;

/** How many leading path segments get a prefix index entry (`secret/`, `secret/data/`, ...). */
export const INDEXED_PREFIX_SEGMENTS = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ns INTEGER NOT NULL,
  kind TEXT NOT NULL,
  digest BLOB,
  request_id TEXT, accessor TEXT, entity_id TEXT, correlation_id TEXT, access_key_id TEXT,
  user_arn TEXT, key_arn TEXT, capsule TEXT, session TEXT, remote_address TEXT, path TEXT,
  operation TEXT, outcome TEXT,
  origin_file TEXT, origin_line INTEGER,
  text TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_digest ON records (digest) WHERE digest IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_failed ON records (time_ns) WHERE outcome = 'failure';
CREATE INDEX IF NOT EXISTS records_by_time ON records (time_ns);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, time_ns);
CREATE INDEX IF NOT EXISTS records_imported ON records (time_ns) WHERE origin_file IS NOT NULL;
${INDEXED_KEY_COLUMNS.map((c) => `CREATE INDEX IF NOT EXISTS records_by_${c} ON records (${c}, time_ns) WHERE ${c} IS NOT NULL;`).join('\n')}
CREATE TABLE IF NOT EXISTS spool_state (
  id INTEGER PRIMARY KEY CHECK (id = 1), segment INTEGER NOT NULL, byte_offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS record_prefixes (
  prefix TEXT NOT NULL, time_ns INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (prefix, time_ns, seq)
) WITHOUT ROWID;
`;

/**
 * How long a connection waits for another one's write transaction (the indexer thread, the
 * server's reads, an import running next to the server) before SQLITE_BUSY. Imports commit in short batches, so a wait is one batch at most.
 */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating 0600 when new) the journal database in WAL mode. A commit is in the WAL before
 * its appends resolve, so an acknowledged request's records survive a crash of the process
 * (`synchronous = NORMAL`); with `fsync` every commit is also synced to the disk
 * (`synchronous = FULL`) and survives a crash of the machine.
 */
export function openJournalDatabase(path: string, opts: { fsync?: boolean } = {}): Database.Database {
  if (path !== ':memory:') {
    makeDirectorySync(dirname(path), 0o700);
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.fsync ? 'FULL' : 'NORMAL'}`);
  db.exec(SCHEMA);
  return db;
}
