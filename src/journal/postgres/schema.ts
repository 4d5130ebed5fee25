/**
 * The journal's PostgreSQL schema: the SQLite schema's records, columns and indexes (schema.ts),
 * with `seq` written out at the end of each index (SQLite appends its rowid implicitly), the path
 * prefixes as stored generated columns, and text compared byte-wise (COLLATE "C") so a path prefix
 * is the same range on both.
 *
 * `journal_counter` holds the next seq. Every transaction that inserts records takes its row lock
 * first and moves it by as many records as it inserts, so seqs are dense from 0 and decided inside
 * the transaction: one rolled back moves nothing (a SEQUENCE would leave a gap). The lock also
 * orders writers, so a commit never makes a seq visible before a smaller one.
 *
 * `ledger_state` and `ledger_files` are the ledger (postgres/ledger-store.ts): the tlog-tiles files
 * by path, and how many records they hold, moved in the same transaction as the files.
 */
import type pg from 'pg';
import { openPool, openSchemaPool } from '../../lib/pg-pool.js';
import { INDEXED_KEY_COLUMNS, PREFIX_COLUMNS } from '../schema.js';

// Where the first and second '/' of the path are (0: none), as SQLite's schema computes them.
const SLASH1 = "strpos(path, '/')";
const SLASH2 = `(CASE WHEN strpos(substr(path, ${SLASH1} + 1), '/') > 0 THEN ${SLASH1} + strpos(substr(path, ${SLASH1} + 1), '/') ELSE 0 END)`;
const PREFIX1 = `CASE WHEN ${SLASH1} > 0 THEN substr(path, 1, ${SLASH1}) END`;
const PREFIX2 = `CASE WHEN ${SLASH1} > 0 AND ${SLASH2} > 0 THEN substr(path, 1, ${SLASH2}) END`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq BIGINT PRIMARY KEY,
  time_ns BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  request_id TEXT COLLATE "C", accessor TEXT COLLATE "C", entity_id TEXT COLLATE "C", correlation_id TEXT COLLATE "C",
  access_key_id TEXT COLLATE "C", user_arn TEXT COLLATE "C", key_arn TEXT COLLATE "C", capsule TEXT COLLATE "C",
  session TEXT COLLATE "C", remote_address TEXT COLLATE "C", path TEXT COLLATE "C", operation TEXT COLLATE "C",
  outcome TEXT COLLATE "C",
  origin_file TEXT, origin_line BIGINT,
  text TEXT COLLATE "C" NOT NULL,
  path_prefix1 TEXT COLLATE "C" GENERATED ALWAYS AS (${PREFIX1}) STORED,
  path_prefix2 TEXT COLLATE "C" GENERATED ALWAYS AS (${PREFIX2}) STORED
);
CREATE INDEX IF NOT EXISTS records_failed ON records (time_ns, seq) WHERE outcome = 'failure';
CREATE INDEX IF NOT EXISTS records_failed_by_kind ON records (kind, time_ns, seq) WHERE outcome = 'failure';
CREATE INDEX IF NOT EXISTS records_by_time ON records (time_ns, seq);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, time_ns, seq);
CREATE INDEX IF NOT EXISTS records_imported ON records (time_ns, seq) WHERE origin_file IS NOT NULL;
${INDEXED_KEY_COLUMNS.map((c) => `CREATE INDEX IF NOT EXISTS records_by_${c} ON records (${c}, time_ns, seq) WHERE ${c} IS NOT NULL;`).join('\n')}
${PREFIX_COLUMNS.map((c) => `CREATE INDEX IF NOT EXISTS records_by_${c} ON records (${c}, time_ns, seq, path) WHERE ${c} IS NOT NULL;`).join('\n')}
CREATE TABLE IF NOT EXISTS journal_counter (id INTEGER PRIMARY KEY CHECK (id = 1), next BIGINT NOT NULL);
INSERT INTO journal_counter (id, next) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS ledger_state (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_files (path TEXT COLLATE "C" PRIMARY KEY, data BYTEA NOT NULL);
`;

/** Connections for appends, imports, the ledger's steps and retention: never held by a search. */
export const WRITE_POOL_CONNECTIONS = 2;
/**
 * Connections for searches and timelines. Any token that may read the journal starts them, and
 * each may hold its connection up to STATEMENT_TIMEOUT_MS: on the appends' connections, a few slow
 * searches would make appends wait past CONNECT_TIMEOUT_MS and fail the requests they record.
 */
export const READ_POOL_CONNECTIONS = 2;
/** Connections one journal keeps open at most. */
export const POOL_CONNECTIONS = WRITE_POOL_CONNECTIONS + READ_POOL_CONNECTIONS;
/** How long an append or query waits for a connection (PostgreSQL down, or every connection busy). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** One statement never runs longer than this (a query the indexes do not serve, a lock never released). */
export const STATEMENT_TIMEOUT_MS = 30_000;

// Serializes the schema's creation between processes opening a new database at once.
const SCHEMA_LOCK = 0x5ea17a11;

/** The writers' pool on the journal's database, its schema applied. Idle-connection errors go to `onError` (never thrown). */
export function openJournalPool(url: string, onError: (err: Error) => void): Promise<pg.Pool> {
  return openSchemaPool({
    url, max: WRITE_POOL_CONNECTIONS, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: STATEMENT_TIMEOUT_MS, applicationName: 'sealtrail-journal', schema: SCHEMA, schemaLock: SCHEMA_LOCK, onError,
  });
}

/** The searches' pool (open the writers' first: it applies the schema). */
export function openJournalReadPool(url: string, onError: (err: Error) => void): pg.Pool {
  return openPool({
    url, max: READ_POOL_CONNECTIONS, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: STATEMENT_TIMEOUT_MS, applicationName: 'sealtrail-journal-reads', onError,
  });
}
