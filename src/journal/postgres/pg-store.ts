/**
 * The journal store on PostgreSQL, for several nodes sharing one database (one of them active).
 * An append is acknowledged only once its record is committed in PostgreSQL: there is no local
 * spool, so a node killed at any moment leaves behind exactly the records it acknowledged (and
 * perhaps some it had not yet acknowledged — never fewer). Appends arriving together share one
 * INSERT and one commit (lib/group-commit.ts). Reads see every committed record, so there is no
 * index to wait for; they run on connections of their own, so searches never hold up an append,
 * and wait for one in turn per token (lib/reader-turns.ts).
 *
 * With `ledger`, every commit is followed by a step of the ledger (ledger-store.ts) in the same
 * database, on this node: the node that writes the journal is the one that extends the ledger.
 */
import type pg from 'pg';
import { groupCommit } from '../../lib/group-commit.js';
import { withClient } from '../../lib/pg-pool.js';
import { querySql } from '../query.js';
import { fitsInFrame, MAX_FRAME_BYTES } from '../spool/frame.js';
import type { IndexerMessage } from '../indexer/state.js';
import type { JournalAppend, JournalQuery, JournalStore } from '../types.js';
import { CONNECT_TIMEOUT_MS, openJournalPool, openJournalReadPool, READ_POOL_CONNECTIONS } from './schema.js';
import { createTurns } from '../../lib/reader-turns.js';
import { placeOf, recordOf, type PlaceRow, type RecordRow } from './records.js';
import { appendRecords, importRecords } from './transactions.js';
import { createLedgerPump, type LedgerPump } from './ledger-pump.js';
import { PLACE_COLUMNS, RECORD_COLUMNS } from '../schema.js';

export interface PostgresJournalOptions {
  /** postgres://user[:password]@host[:port]/database[?...] (never logged). */
  url: string;
  /** Follow the journal with the ledger in the same database (the active node). */
  ledger?: boolean;
  /**
   * Whether this node is the one that extends the ledger now (default: always). A node that is not
   * leaves it to the active one; were two to write at once, each append checks the stored size in
   * its transaction, so neither can overwrite the other's tree (ledger-store.ts).
   */
  ledgerActive?: () => boolean;
  /** The ledger's reports: its head after each step, failure episodes and their end. */
  onIndexer?: (message: IndexerMessage) => void;
  /** An idle pooled connection failed (PostgreSQL restarted, the network cut it); the pool opens another. */
  onConnectionError?: (err: Error) => void;
  retentionMs?: number;
  clock?: { now(): number };
}

/** Most records one commit takes (the rest form the next one): bounds one statement's size and time. */
export const MAX_COMMIT_RECORDS = 5000;

/** SQLite's `?` placeholders as PostgreSQL's `$n`, and no SQLite index hints. */
export function postgresSql(sql: string): string {
  let n = 0;
  return sql.replace(/ INDEXED BY \w+/g, '').replace(/\?/g, () => `$${++n}`);
}

/**
 * The query without the filter values that hold a NUL character: PostgreSQL's text cannot hold
 * one, so no stored key does (and PostgreSQL refuses such a parameter). Undefined when nothing
 * can match.
 */
function matchableQuery(q: JournalQuery): JournalQuery | undefined {
  const hasNul = (v: string | undefined) => v?.includes('\u0000') === true;
  if (Object.values(q.keys ?? {}).some(hasNul) || hasNul(q.pathPrefix)) return undefined;
  if (!q.requestIds?.some(hasNul)) return q;
  const requestIds = q.requestIds.filter((id) => !hasNul(id));
  return requestIds.length > 0 ? { ...q, requestIds } : undefined;
}

export async function createPostgresJournalStore(opts: PostgresJournalOptions): Promise<JournalStore> {
  const say = opts.onIndexer ?? (() => undefined);
  const onConnectionError = opts.onConnectionError ?? (() => undefined);
  const writes = await openJournalPool(opts.url, onConnectionError);
  // Searches wait for and hold connections of their own, never an append's (schema.ts).
  const pool = openJournalReadPool(opts.url, onConnectionError);
  // Searches waiting for a connection are served in turn per token, not in arrival order.
  const turns = createTurns(READ_POOL_CONNECTIONS, CONNECT_TIMEOUT_MS, () => new Error(`no journal read connection within ${CONNECT_TIMEOUT_MS} ms`));
  const reads = {
    query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => turns.run(() => pool.query<R>(sql, params)),
    end: () => pool.end(),
  };
  const pump: LedgerPump | undefined = opts.ledger ? createLedgerPump(writes, say, opts.ledgerActive ?? (() => true)) : undefined;

  let closed = false;
  let importing: Promise<void> = Promise.resolve();

  const commits = groupCommit(async (records: JournalAppend[]): Promise<void> => {
    for (let at = 0; at < records.length; at += MAX_COMMIT_RECORDS) {
      await withClient(writes, (client) => appendRecords(client, records.slice(at, at + MAX_COMMIT_RECORDS)));
    }
    pump?.kick();
  });

  const rows = async (sql: string, params: unknown[]): Promise<RecordRow[]> => (await reads.query<RecordRow>(sql, params)).rows;
  const pgParams = (params: unknown[]) => params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
  const select = async (query: JournalQuery) => {
    let q = matchableQuery(query);
    if (q === undefined) return [];
    if (q.maxChars !== undefined) {
      // The rows' lengths first (a TOASTed text's length is read from its header), then only the
      // rows within the budget, the one that passes it included.
      const sizes = querySql(q, 'seq, time_ns, length(text) AS chars', true);
      const lengths = (await reads.query<{ chars: number | string }>(postgresSql(sizes.sql), pgParams(sizes.params))).rows;
      let fit = 0;
      let chars = 0;
      for (const row of lengths) {
        fit++;
        chars += Number(row.chars);
        if (chars > q.maxChars) break;
      }
      if (fit === 0) return [];
      if (fit < lengths.length) q = { ...q, limit: fit };
    }
    const { sql, params } = querySql(q, RECORD_COLUMNS, true);
    return rows(postgresSql(sql), pgParams(params));
  };
  const locate = async (query: JournalQuery) => {
    const q = matchableQuery(query);
    if (q === undefined) return [];
    const { sql, params } = querySql(q, PLACE_COLUMNS, true);
    return (await reads.query<PlaceRow>(postgresSql(sql), pgParams(params))).rows.map(placeOf);
  };
  const scalar = async (sql: string, params: unknown[] = []): Promise<number> => Number((await reads.query<{ v: string }>(sql, params)).rows[0].v);

  const retentionMs = opts.retentionMs ?? 0;
  const purgeExpired = async (): Promise<number> => {
    if (retentionMs <= 0 || !opts.clock) return 0;
    const cutoff = BigInt(opts.clock.now() - retentionMs) * 1_000_000n;
    // With a ledger, a record leaves the journal only once the ledger holds it: leaf i is the
    // record of seq i, and a seq missing ahead of the ledger would stop it for good.
    const sql = opts.ledger
      ? 'DELETE FROM records WHERE time_ns < $1 AND seq < COALESCE((SELECT size FROM ledger_state WHERE id = 1), 0)'
      : 'DELETE FROM records WHERE time_ns < $1';
    return (await writes.query(sql, [cutoff.toString()])).rowCount ?? 0;
  };
  const sweep = retentionMs > 0 ? setInterval(() => void purgeExpired().catch(() => undefined), 3600_000) : undefined;
  sweep?.unref();
  pump?.start();

  return {
    append(record) {
      if (closed) return Promise.reject(new Error('journal closed'));
      // Refused alone, before it can fail the batch it would have joined (the SQLite journal's limit).
      if (typeof record.text === 'string' && !fitsInFrame(record.text)) return Promise.reject(new Error(`a journal record larger than ${MAX_FRAME_BYTES} bytes cannot be kept`));
      return commits.add(record);
    },
    caughtUp: async () => true,
    importBatch(records) {
      // In call order, one at a time: an importer's batches take their seqs in the order of its files.
      const outcome = importing.then(() => withClient(writes, (client) => importRecords(client, records)));
      importing = outcome.then(() => undefined, () => undefined);
      return outcome.then((o) => {
        if (o.added > 0) pump?.kick();
        return o;
      });
    },
    query: async (q) => (await select(q)).map(recordOf),
    locate,
    readSince: async (afterSeq, limit) => (await rows(`SELECT ${RECORD_COLUMNS} FROM records WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit])).map(recordOf),
    lastSeq: () => scalar('SELECT COALESCE(MAX(seq), -1) AS v FROM records'),
    count: () => scalar('SELECT COUNT(*) AS v FROM records'),
    async explain(q) {
      const { sql, params } = querySql(q, RECORD_COLUMNS, true);
      const plan = await reads.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${postgresSql(sql)}`, params.map((p) => (typeof p === 'bigint' ? p.toString() : p)));
      return plan.rows.map((r) => r['QUERY PLAN']);
    },
    purgeExpired,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      await commits.drain();
      await pump?.close();
      await reads.end();
      await writes.end();
    },
  };
}
