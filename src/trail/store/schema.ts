/**
 * The event store's SQLite schema. Index columns are plaintext so LookupEvents can filter and
 * page with an index; the record itself is an AES-256-GCM blob. Every lookup attribute has an
 * index ending in time_ms (SQLite appends the rowid `seq` to every index entry), so a query is
 * one index range scan read newest-first and stopped by LIMIT. `event_log` holds events acknowledged
 * but not yet indexed, with their index columns (resource names and types as JSON arrays), and
 * no index but its seq (event-log.ts).
 */
import Database from 'better-sqlite3';
import { privateDatabaseFileSync } from '../../lib/private-database-file.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  time_ms INTEGER NOT NULL,
  event_name TEXT NOT NULL,
  read_only TEXT NOT NULL,
  username TEXT NOT NULL,
  event_source TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time_ms);
CREATE INDEX IF NOT EXISTS events_by_name ON events (event_name, time_ms);
CREATE INDEX IF NOT EXISTS events_by_read_only ON events (read_only, time_ms);
CREATE INDEX IF NOT EXISTS events_by_username ON events (username, time_ms);
CREATE INDEX IF NOT EXISTS events_by_source ON events (event_source, time_ms);
CREATE INDEX IF NOT EXISTS events_by_access_key ON events (access_key_id, time_ms);
CREATE TABLE IF NOT EXISTS event_resource_names (
  name TEXT NOT NULL, time_ms INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (name, time_ms, seq)
) WITHOUT ROWID;
-- The retention sweep walks names in key order (retention-sweep.ts); a time index would only cost.
DROP INDEX IF EXISTS event_resource_names_by_time;
CREATE TABLE IF NOT EXISTS event_resource_types (
  type TEXT NOT NULL, time_ms INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (type, time_ms, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_resource_types_by_time ON event_resource_types (time_ms);
CREATE TABLE IF NOT EXISTS event_log (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  event_name TEXT NOT NULL,
  read_only TEXT NOT NULL,
  username TEXT NOT NULL,
  event_source TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  resource_names TEXT NOT NULL,
  resource_types TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS event_seq_floor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
`;

/**
 * The page size of a new event database. An event is ~1 KiB sealed plus a dozen index entries;
 * with SQLite's default 4 KiB pages, indexing writes several times more pages per event (the
 * journal's choice too: src/journal/schema.ts).
 */
export const PAGE_BYTES = 16_384;

/**
 * Pages the write-ahead log holds before a commit checkpoints it (SQLite's default: 1,000). The
 * checkpoint runs on the thread that commits appends, which answers requests, and syncs both
 * files; on ext4 (data=ordered) a sync also waits for other files' dirty data, such as a busy
 * audit log's, so a checkpoint's cost is mostly fixed (~30 ms each under KMS load). With 4,096
 * pages of 16 KiB (a log of 64 MiB at most) there are four times fewer.
 */
export const WAL_CHECKPOINT_PAGES = 4096;

/** Opens (creating 0600 when new) the event database in WAL mode and applies the schema. */
export function openEventDatabase(path: string): Database.Database {
  if (path !== ':memory:') {
    privateDatabaseFileSync(path);
  }
  const db = new Database(path);
  // Takes effect only in a database without tables yet: an existing store keeps its own.
  db.pragma(`page_size = ${PAGE_BYTES}`);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  db.exec(SCHEMA);
  return db;
}
