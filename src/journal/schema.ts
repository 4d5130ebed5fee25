/**
 * The journal's SQLite schema: one row per record, the record's text as formatted, and a column
 * per extracted key. Results are in time order (imported records take their place in history),
 * so each filterable key has a partial index on (key, time_ns) — SQLite appends the rowid `seq`,
 * making it (key, time_ns, seq), the query order — and every filter is one index range scan,
 * stopped by LIMIT. Partial, because most records carry only some keys: a record pays only for
 * the indexes it appears in. A path's first segments (`secret/`, `secret/data/`) are generated
 * columns, indexed the same way, so a path prefix is one range scan too; their indexes also hold
 * the path, after (time_ns, seq), so a longer prefix is checked on the index entry before its row
 * is read. Every index entry of a record is written by its one INSERT.
 *
 * `seq` is AUTOINCREMENT: a seq is never reused, even after retention removed every record.
 * An imported record's identity is its kind and text: importing what is already there adds
 * nothing. Its time is parsed from its text, so an equal record has the same (kind, time_ns); an
 * imported record also keeps `text_digest` (text-digest.ts), and records_imported_text on
 * (kind, time_ns, text_digest) leads the import to the one stored record whose text it compares,
 * however many share its time. Failures have an index of their own (the minority); successes are
 * found by scanning in time order.
 *
 * `spool_state` is how far the indexer has read the spool (spool/): it moves in the same
 * transaction as the records it covers. `ledger_state` is how many records the ledger's files
 * hold (ledger/): it moves after the files are written.
 */
import Database from 'better-sqlite3';
import { privateDatabaseFileSync } from '../lib/private-database-file.js';
import { textDigest } from './text-digest.js';

/** Key columns with an index of their own (path prefixes have theirs: PREFIX_COLUMNS). */
export const INDEXED_KEY_COLUMNS = [
  'request_id', 'accessor', 'entity_id', 'correlation_id', 'access_key_id', 'user_arn', 'key_arn',
  'capsule', 'remote_address',
] as const;

/** How many leading path segments get a prefix index entry (`secret/`, `secret/data/`, ...). */
export const INDEXED_PREFIX_SEGMENTS = 2;

/** The generated column holding a path's first n segments (n = 1..INDEXED_PREFIX_SEGMENTS), each ending in `/`. */
export const PREFIX_COLUMNS = ['path_prefix1', 'path_prefix2'] as const;

// Where the first and second `/` of the path are (0: none), in characters as substr counts them.
const SLASH1 = "instr(path, '/')";
const SLASH2 = `(CASE WHEN instr(substr(path, ${SLASH1} + 1), '/') > 0 THEN ${SLASH1} + instr(substr(path, ${SLASH1} + 1), '/') ELSE 0 END)`;

/** A record's stored columns (`*` would also compute the generated prefix columns). */
export const RECORD_COLUMNS = 'seq, time_ns, kind, request_id, accessor, entity_id, correlation_id, access_key_id, user_arn, key_arn, '
  + 'capsule, session, remote_address, path, operation, outcome, origin_file, origin_line, text';

/** A record's place (JournalPlace): its text's size, never the text. */
export const PLACE_COLUMNS = 'seq, time_ns, request_id, correlation_id, octet_length(text) AS bytes';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ns INTEGER NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT, accessor TEXT, entity_id TEXT, correlation_id TEXT, access_key_id TEXT,
  user_arn TEXT, key_arn TEXT, capsule TEXT, session TEXT, remote_address TEXT, path TEXT,
  operation TEXT, outcome TEXT,
  origin_file TEXT, origin_line INTEGER,
  text TEXT NOT NULL,
  path_prefix1 TEXT GENERATED ALWAYS AS (CASE WHEN ${SLASH1} > 0 THEN substr(path, 1, ${SLASH1}) END) VIRTUAL,
  path_prefix2 TEXT GENERATED ALWAYS AS (CASE WHEN ${SLASH1} > 0 AND ${SLASH2} > 0 THEN substr(path, 1, ${SLASH2}) END) VIRTUAL,
  text_digest INTEGER
);
CREATE INDEX IF NOT EXISTS records_failed ON records (time_ns) WHERE outcome = 'failure';
CREATE INDEX IF NOT EXISTS records_failed_by_kind ON records (kind, time_ns) WHERE outcome = 'failure';
CREATE INDEX IF NOT EXISTS records_by_time ON records (time_ns);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, time_ns);
CREATE INDEX IF NOT EXISTS records_imported ON records (time_ns) WHERE origin_file IS NOT NULL;
${INDEXED_KEY_COLUMNS.map((c) => `CREATE INDEX IF NOT EXISTS records_by_${c} ON records (${c}, time_ns) WHERE ${c} IS NOT NULL;`).join('\n')}
${PREFIX_COLUMNS.map((c) => `CREATE INDEX IF NOT EXISTS records_by_${c} ON records (${c}, time_ns, seq, path) WHERE ${c} IS NOT NULL;`).join('\n')}
CREATE TABLE IF NOT EXISTS spool_state (
  id INTEGER PRIMARY KEY CHECK (id = 1), segment INTEGER NOT NULL, byte_offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_state (
  id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL
);
`;

/**
 * How long a connection waits for another one's write transaction (the indexer thread, the
 * server's reads, an import running next to the server) before SQLITE_BUSY. Imports commit in short batches, so a wait is one batch at most.
 */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Page cache of each connection, in KiB. SQLite's default (2 MiB) is far smaller than the hot
 * index pages of a journal (a dozen indexes, most written at their newest end): with it, a batch
 * of inserts keeps evicting and re-reading the pages it is about to change.
 */
export const CACHE_KIB = 64 * 1024;

/**
 * The page size of a new journal. A record is about 1 KiB of text and a dozen index entries;
 * with SQLite's default 4 KiB pages a commit writes (and a checkpoint copies) several times more
 * pages, each its own write, and an insert costs half as much again as with 16 KiB pages.
 */
export const PAGE_BYTES = 16_384;

/**
 * Opens (creating 0600 when new) the journal database in WAL mode. A commit is in the WAL when
 * it returns, so it survives a crash of the process (`synchronous = NORMAL`); with `fsync` every
 * commit is also synced to the disk (`synchronous = FULL`) and survives a crash of the machine —
 * which the indexer relies on before it deletes a spool segment.
 */
/** A read-only connection to an existing journal database (the reader thread's, journal/reader/). */
export function openJournalReadConnection(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  return db;
}

export function openJournalDatabase(path: string, opts: { fsync?: boolean } = {}): Database.Database {
  if (path !== ':memory:') {
    privateDatabaseFileSync(path);
  }
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Takes effect only in a database without tables yet: an existing journal keeps its own.
  db.pragma(`page_size = ${PAGE_BYTES}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma(`synchronous = ${opts.fsync ? 'FULL' : 'NORMAL'}`);
  db.exec(SCHEMA);
  addTextDigests(db);
  return db;
}

/** `user_version` of a journal whose imported records all have their text_digest. */
const TEXT_DIGEST_VERSION = 1;
/** Records (by seq) whose digests one transaction fills in: a large journal's upgrade is many short ones. */
const TEXT_DIGEST_FILL_SEQS = 10_000;

/**
 * Upgrades a journal made before imported records kept a text digest: adds the column, fills it
 * in for every imported record, then indexes it. Once, on the first open (it reads every imported
 * text once); an open interrupted midway resumes where it stopped. A new journal has the column
 * and no record, so it only gets the index.
 */
function addTextDigests(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= TEXT_DIGEST_VERSION) return;
  const hasColumn = db.prepare("SELECT 1 FROM pragma_table_info('records') WHERE name = 'text_digest'").pluck();
  // Checked again under the write lock: another connection may have added it meanwhile.
  db.transaction(() => {
    if (hasColumn.get() === undefined) db.exec('ALTER TABLE records ADD COLUMN text_digest INTEGER');
  }).immediate();
  db.function('journal_text_digest', { deterministic: true }, (text) => textDigest(text as string));
  const fill = db.prepare('UPDATE records SET text_digest = journal_text_digest(text) WHERE seq >= ? AND seq < ? AND origin_file IS NOT NULL AND text_digest IS NULL');
  const last = (db.prepare('SELECT max(seq) FROM records').pluck().get() as number | null) ?? -1;
  for (let from = 0; from <= last; from += TEXT_DIGEST_FILL_SEQS) fill.run(from, from + TEXT_DIGEST_FILL_SEQS);
  db.exec('CREATE INDEX IF NOT EXISTS records_imported_text ON records (kind, time_ns, text_digest) WHERE origin_file IS NOT NULL');
  db.pragma(`user_version = ${TEXT_DIGEST_VERSION}`);
}
