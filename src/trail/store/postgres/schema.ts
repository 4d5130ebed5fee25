/**
 * The event store's PostgreSQL schema: the SQLite schema's tables and indexes (../schema.ts), with
 * `seq` written out at the end of each index (SQLite appends its rowid implicitly). It lives in
 * the journal's database when the journal is on PostgreSQL, so LookupEvents and trail delivery
 * answer the same on whichever node is active.
 *
 * `event_counter` holds the next seq; each insert transaction takes its row lock first, so seqs
 * become visible in order (trail delivery reads "everything past the cursor" and must never see a
 * seq before a smaller one commits).
 */
import type pg from 'pg';
import { openSchemaPool } from '../../../lib/pg-pool.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq BIGINT PRIMARY KEY,
  event_id TEXT COLLATE "C" NOT NULL UNIQUE,
  time_ms BIGINT NOT NULL,
  event_name TEXT COLLATE "C" NOT NULL,
  read_only TEXT COLLATE "C" NOT NULL,
  username TEXT COLLATE "C" NOT NULL,
  event_source TEXT COLLATE "C" NOT NULL,
  access_key_id TEXT COLLATE "C" NOT NULL,
  record BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time_ms, seq);
CREATE INDEX IF NOT EXISTS events_by_name ON events (event_name, time_ms, seq);
CREATE INDEX IF NOT EXISTS events_by_read_only ON events (read_only, time_ms, seq);
CREATE INDEX IF NOT EXISTS events_by_username ON events (username, time_ms, seq);
CREATE INDEX IF NOT EXISTS events_by_source ON events (event_source, time_ms, seq);
CREATE INDEX IF NOT EXISTS events_by_access_key ON events (access_key_id, time_ms, seq);
CREATE TABLE IF NOT EXISTS event_resource_names (
  name TEXT COLLATE "C" NOT NULL, time_ms BIGINT NOT NULL, seq BIGINT NOT NULL,
  PRIMARY KEY (name, time_ms, seq)
);
CREATE INDEX IF NOT EXISTS event_resource_names_by_time ON event_resource_names (time_ms);
CREATE TABLE IF NOT EXISTS event_resource_types (
  type TEXT COLLATE "C" NOT NULL, time_ms BIGINT NOT NULL, seq BIGINT NOT NULL,
  PRIMARY KEY (type, time_ms, seq)
);
CREATE INDEX IF NOT EXISTS event_resource_types_by_time ON event_resource_types (time_ms);
CREATE TABLE IF NOT EXISTS event_counter (id INTEGER PRIMARY KEY CHECK (id = 1), next BIGINT NOT NULL);
INSERT INTO event_counter (id, next) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
`;

/** Connections the event store keeps open at most: one writer, the rest for LookupEvents and delivery. */
export const EVENT_POOL_CONNECTIONS = 3;
export const EVENT_CONNECT_TIMEOUT_MS = 10_000;
export const EVENT_STATEMENT_TIMEOUT_MS = 30_000;

const SCHEMA_LOCK = 0x5ea17a12;

/** A pool on the event store's database, its schema applied. */
export function openEventPool(url: string, onError: (err: Error) => void): Promise<pg.Pool> {
  return openSchemaPool({
    url, max: EVENT_POOL_CONNECTIONS, connectTimeoutMs: EVENT_CONNECT_TIMEOUT_MS, statementTimeoutMs: EVENT_STATEMENT_TIMEOUT_MS, applicationName: 'sealtrail-events', schema: SCHEMA, schemaLock: SCHEMA_LOCK, onError,
  });
}
