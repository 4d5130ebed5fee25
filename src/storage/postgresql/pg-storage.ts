/**
 * PostgreSQL storage (pg's Pool): one table keyed by path with each key's folder beside it, so
 * lists are index range scans (list-sql.ts). Every write, a transaction included, is one statement
 * (one round trip, atomic as a statement is).
 * A connection failure is a 503 (`storage_unavailable`), never a crash: the pool's idle clients
 * that die are dropped and replaced on the next query.
 *
 * With a write fence (HA), every write first takes a share lock on the HA lock row and checks that
 * this node holds a live lease — or released it and nobody took it since, or that nobody ever held
 * it (before the first election).
 * A node taking the lock over has to update that row, so it waits for fenced writes in flight to
 * commit, and any write after the takeover is refused by the database itself: a deposed active
 * can never write behind its successor's back, whatever the clocks or the network do.
 */
import pg from 'pg';
import { SealtrailError, invalid } from '../../errors/index.js';
import { IDLE_IN_TRANSACTION_TIMEOUT_MS, QUERY_TIMEOUT_MARGIN_MS } from '../../lib/pg-pool.js';
import { childrenOf } from '../list.js';
import { prefixSuccessor } from '../sqlite/key-range.js';
import type { PhysicalStorage, StorageOp } from '../types.js';
import { listSql } from './list-sql.js';
import { openingError, storageError } from './pg-errors.js';
import { DEFAULT_TABLE, HA_LOCK_TABLE, haSchema, kvSchema, parentOf, quoteTable } from './schema.js';

export interface PostgresStorageOptions {
  connectionUrl: string;
  /** Default `sealtrail_kv_store`. */
  table?: string;
  /** Connections in the pool (OpenBao's max_parallel; default 128). */
  maxParallel?: number;
  /** Create the HA tables too (ha_enabled). */
  ha?: boolean;
  /** HA: writes succeed only while the node with this id holds the lock (see above). */
  fenceNodeId?: () => string;
  /** How long one query may run (default QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
}

export const DEFAULT_MAX_PARALLEL = 128;
/** How long to wait for a connection, and for any one query, before answering 503. */
export const CONNECT_TIMEOUT_MS = 10_000;
export const QUERY_TIMEOUT_MS = 30_000;
/** Serialises schema creation between nodes starting at once (CREATE … IF NOT EXISTS races). */
const SCHEMA_LOCK_ID = 0x5ea17a11;
/** A put-if-absent finds the key deleted between its insert and its read this often before it gives up. */
const PUT_IF_ABSENT_ATTEMPTS = 3;

const notActive = () => new SealtrailError('unavailable', 'ha_not_active', 'this node is not the active node: the write was refused');

export interface PostgresStorage extends PhysicalStorage {
  readonly pool: pg.Pool;
}

export async function createPostgresStorage(opts: PostgresStorageOptions): Promise<PostgresStorage> {
  const table = quoteTable(opts.table ?? DEFAULT_TABLE);
  const queryTimeoutMs = opts.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: opts.connectionUrl,
    max: opts.maxParallel ?? DEFAULT_MAX_PARALLEL,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // The server ends a statement first (rolled back, answered 503): one the client merely gave
    // up on would go on waiting in the database, holding a connection, and commit whenever its
    // lock came free — a write answered 503 landing later, behind newer ones.
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    // A node stopped inside a transaction must not hold its row locks against the next active one.
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose connection dies emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', () => undefined);
  try {
    await createSchema(pool, [...kvSchema(opts.table ?? DEFAULT_TABLE), ...(opts.ha ? haSchema() : [])]);
    if (!opts.ha) await refuseHaDatabase(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw openingError(err, opts.connectionUrl);
  }

  const sql = {
    get: `SELECT value FROM ${table} WHERE key = $1`,
    listBounded: listSql(table, true),
    listAll: listSql(table, false),
    keysBetween: `SELECT key FROM ${table} WHERE key >= $1 AND key < $2 ORDER BY key`,
    write: writeSql(table, opts.fenceNodeId !== undefined),
    insertNew: insertNewSql(table, opts.fenceNodeId !== undefined),
  };
  const run = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>({ text, values });
    } catch (err) {
      throw storageError(err);
    }
  };

  /**
   * Every write — one put, one delete or a transaction — is one statement, so one round trip and
   * atomic by itself: the ops are folded to each key's last op (ops on different keys commute, and
   * only the last op on a key decides its value), then deleted and upserted together.
   */
  const transaction = async (ops: StorageOp[]): Promise<void> => {
    for (const op of ops) checkOp(op);
    if (ops.length === 0) return;
    const last = new Map<string, StorageOp>();
    for (const op of ops) {
      last.delete(op.key);
      last.set(op.key, op);
    }
    const deletes: string[] = [];
    const keys: string[] = [];
    const parents: string[] = [];
    const values: Buffer[] = [];
    for (const op of last.values()) {
      if (op.op === 'delete') deletes.push(op.key);
      else {
        keys.push(op.key);
        parents.push(parentOf(op.key));
        values.push(Buffer.from(op.value)); // a copy: the caller may reuse its buffer before the query is sent
      }
    }
    const params: unknown[] = [deletes, keys, parents, values];
    if (opts.fenceNodeId) params.push(opts.fenceNodeId());
    const r = await run<{ held: string }>(sql.write, params);
    if (opts.fenceNodeId && Number(r.rows[0]?.held) !== 1) throw notActive();
  };

  /**
   * The insert and the read back are two statements: one statement reads from the snapshot it
   * began with, which misses the row of a concurrent insert it waited for and then skipped.
   */
  const putIfAbsent = async (key: string, value: Uint8Array): Promise<Uint8Array> => {
    checkOp({ op: 'put', key, value });
    const copy = Buffer.from(value);
    for (let attempt = 0; attempt < PUT_IF_ABSENT_ATTEMPTS; attempt++) {
      const params: unknown[] = [key, parentOf(key), copy];
      if (opts.fenceNodeId) params.push(opts.fenceNodeId());
      const r = await run<{ held: string; inserted: string }>(sql.insertNew, params);
      if (opts.fenceNodeId && Number(r.rows[0]?.held) !== 1) throw notActive();
      if (Number(r.rows[0]?.inserted) === 1) return copy;
      const found = (await run<{ value: Buffer }>(sql.get, [key])).rows[0]?.value;
      if (found !== undefined) return found;
    }
    throw new SealtrailError('internal', 'storage_failed', 'storage: a put-if-absent found its key deleted after each insert');
  };

  return {
    pool,
    async get(key) {
      checkKey(key);
      const r = await run<{ value: Buffer }>(sql.get, [key]);
      return r.rows[0]?.value;
    },
    put: (key, value) => transaction([{ op: 'put', key, value }]),
    delete: (key) => transaction([{ op: 'delete', key }]),
    putIfAbsent,
    async list(prefix) {
      if (typeof prefix !== 'string') throw invalid('storage list prefix must be a string', 'invalid_storage_key');
      if (prefix !== '') checkKey(prefix);
      const until = prefixSuccessor(prefix);
      if (prefix !== '' && !prefix.endsWith('/')) {
        // Not a folder: the keys that start with it, folded as Vault folds them.
        const r = await run<{ key: string }>(sql.keysBetween, [prefix, until ?? '\u{10ffff}']);
        return childrenOf(r.rows.map((row) => row.key), prefix);
      }
      const r = until === undefined ? await run<{ name: string }>(sql.listAll, [prefix]) : await run<{ name: string }>(sql.listBounded, [prefix, until]);
      // The database orders by UTF-8 bytes; callers expect JavaScript's (UTF-16) order.
      return r.rows.map((row) => row.name).sort();
    },
    transaction,
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

async function createSchema(pool: pg.Pool, statements: string[]): Promise<void> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_ID]);
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/**
 * A node without HA on a database whose HA lock some node has held would serve beside the active
 * one: its writes unfenced, its read cache never emptied of what the active changes (a revoked
 * token, a rotated key). The cluster may be between leaders, so any holder ever counts.
 */
async function refuseHaDatabase(pool: pg.Pool): Promise<void> {
  const table = await pool.query<{ found: boolean }>(`SELECT to_regclass('${HA_LOCK_TABLE}') IS NOT NULL AS found`);
  if (!table.rows[0].found) return;
  const held = await pool.query(`SELECT 1 FROM ${HA_LOCK_TABLE} WHERE name = 'active' AND holder_id <> ''`);
  if (held.rowCount !== 0) {
    throw invalid(
      `this database is used by an HA cluster (${HA_LOCK_TABLE} has a lock holder): set ha_enabled = true, as on the cluster's other nodes; `
        + `to run it as a single server instead, stop every node and drop ${HA_LOCK_TABLE}`,
      'invalid_storage_config',
    );
  }
}

/**
 * The one write statement. With the fence, a CTE first takes a share lock on the HA lock row if
 * this node ($5) holds a live lease, released it and nobody took it since, or nobody ever held it
 * (before the first election); the changes apply only when it found the row, and `held` says
 * whether it did. An expired lease of another node does not let a write through: that node may
 * have written since this one last held the lock.
 */
function writeSql(table: string, fenced: boolean): string {
  const { lock, guard, held } = fence(fenced, '$5');
  return `
    WITH ${lock}
    removed AS (DELETE FROM ${table} WHERE key = ANY($1::text[])${guard}),
    written AS (
      INSERT INTO ${table} (key, parent_path, value)
      SELECT k, p, v FROM unnest($2::text[], $3::text[], $4::bytea[]) AS u(k, p, v) WHERE true${guard}
      ON CONFLICT (key) DO UPDATE SET value = excluded.value)
    SELECT ${held} AS held`;
}

/** The put-if-absent statement, fenced as writeSql is: `inserted` says whether the row is this call's. */
function insertNewSql(table: string, fenced: boolean): string {
  const { lock, guard, held } = fence(fenced, '$4');
  return `
    WITH ${lock}
    inserted AS (
      INSERT INTO ${table} (key, parent_path, value)
      SELECT $1::text, $2::text, $3::bytea WHERE true${guard}
      ON CONFLICT (key) DO NOTHING RETURNING 1)
    SELECT ${held} AS held, (SELECT count(*) FROM inserted) AS inserted`;
}

/** The write fence's pieces (see writeSql), the node id in parameter `nodeId`. */
function fence(fenced: boolean, nodeId: string): { lock: string; guard: string; held: string } {
  if (!fenced) return { lock: '', guard: '', held: '1' };
  return {
    lock: `lock AS MATERIALIZED (SELECT 1 FROM ${HA_LOCK_TABLE} WHERE name = 'active'
         AND ((holder_id = ${nodeId} AND (expires_at > now() OR expires_at = '-infinity')) OR holder_id = '') FOR SHARE),`,
    guard: ' AND EXISTS (SELECT 1 FROM lock)',
    held: '(SELECT count(*) FROM lock)',
  };
}

function checkOp(op: StorageOp): void {
  checkKey(op.key);
  if (op.op === 'put') {
    if (!(op.value instanceof Uint8Array)) throw invalid('storage value must be bytes (Uint8Array)', 'invalid_storage_value');
  } else if (op.op !== 'delete') {
    throw invalid(`unknown storage operation ${JSON.stringify((op as { op: unknown }).op)}`, 'invalid_storage_op');
  }
}

/** PostgreSQL text holds neither NUL nor unpaired surrogates (which UTF-8 cannot encode). */
function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw invalid('storage key must be a non-empty string', 'invalid_storage_key');
  if (key.includes('\0') || /[\uD800-\uDFFF]/u.test(key)) throw invalid('storage key must be valid Unicode without NUL characters', 'invalid_storage_key');
}
