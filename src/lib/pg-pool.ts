/**
 * pg pools as the journal, the ledger and the event store use them.
 *  - Every query gives up on the client side (`query_timeout`) and connections send TCP
 *    keepalives: `statement_timeout` is the server's, and a stalled server or a silent network
 *    never enforces it, so a request would wait on its record for as long as the stall lasted.
 *  - A client checked out of a pool has no 'error' listener of the pool's (pg-pool removes it on
 *    checkout), and pg's Client emits 'error' when its connection dies (a restart, a reset)
 *    even while its query is rejected: unhandled, that ends the process. `withClient` holds a
 *    listener for the whole checkout and discards such a connection.
 *  - The schema is applied before the pool is handed out, under a PostgreSQL advisory lock, one
 *    process at a time (the nodes of a cluster may start together). Errors of idle connections
 *    go to `onError`.
 */
import pg from 'pg';

/** How much longer than the statement timeout the client waits before it gives up on a query. */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;

/**
 * How long the server lets a session sit in an open transaction with no statement running before
 * it ends the session. A node that stops mid-transaction (paused, partitioned without a reset)
 * would otherwise hold its row locks — the journal's counter, the ledger's state — until TCP gave
 * up, hours later, and a standby taking over would wait on them forever. Every transaction here
 * sends its statements back to back; 5 s is far past any of them and below what a takeover waits.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;

export interface PoolOptions {
  url: string;
  /** Connections kept open at most. */
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** What pg_stat_activity shows for these connections. */
  applicationName: string;
  onError: (err: Error) => void;
}

export interface SchemaPoolOptions extends PoolOptions {
  /** Idempotent DDL (CREATE … IF NOT EXISTS). */
  schema: string;
  /** The advisory lock key that serializes this schema's creation. */
  schemaLock: number;
}

/** A pool whose queries end on both sides: the server's statement timeout and the client's own. */
export function openPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url, max: opts.max, connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs, query_timeout: opts.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true, application_name: opts.applicationName,
  });
  pool.on('error', opts.onError);
  return pool;
}

/**
 * Runs `work` on a client of its own. The client is returned to the pool when `work` succeeds
 * and closed when it fails (its connection is in an unknown state); a connection that dies
 * meanwhile fails `work`'s query, never the process.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let died: Error | undefined;
  const onError = (err: Error) => {
    died = err;
  };
  client.on('error', onError);
  try {
    const result = await work(client);
    client.release(died);
    return result;
  } catch (err) {
    client.release(err instanceof Error ? err : true);
    throw err;
  } finally {
    client.off('error', onError);
  }
}

/** The statements of a schema script (statements end with `;` at a line's end; none has one inside). */
function schemaStatements(schema: string): string[] {
  return schema.split(/;[ \t]*(?:\n|$)/).map((s) => s.trim()).filter((s) => s !== '');
}

export async function openSchemaPool(opts: SchemaPoolOptions): Promise<pg.Pool> {
  const pool = openPool(opts);
  try {
    await withClient(pool, async (client) => {
      await client.query('SELECT pg_advisory_lock($1)', [opts.schemaLock]);
      try {
        // One statement at a time, each its own transaction: sent together they are one, which
        // would hold a CREATE INDEX's lock on a table that a running node appends to while waiting
        // on that node's row lock (its counter) — a deadlock that fails the other node's request.
        for (const statement of schemaStatements(opts.schema)) await client.query(statement);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [opts.schemaLock]);
      }
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}

/** BEGIN, work, COMMIT; ROLLBACK on failure (a connection that cannot roll back is not reused). */
export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
