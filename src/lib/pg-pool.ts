/**
 * A pg pool whose schema is applied before it is handed out. Several processes may open a new
 * database at once (the nodes of a cluster starting together), so the schema is applied under a
 * PostgreSQL advisory lock, one process at a time. Errors of idle connections go to `onError`:
 * an unhandled pool error would crash the process.
 */
import pg from 'pg';

export interface SchemaPoolOptions {
  url: string;
  /** Connections kept open at most. */
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** What pg_stat_activity shows for these connections. */
  applicationName: string;
  /** Idempotent DDL (CREATE … IF NOT EXISTS). */
  schema: string;
  /** The advisory lock key that serializes this schema's creation. */
  schemaLock: number;
  onError: (err: Error) => void;
}

export async function openSchemaPool(opts: SchemaPoolOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: opts.url, max: opts.max, connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs, application_name: opts.applicationName,
  });
  pool.on('error', opts.onError);
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [opts.schemaLock]);
      try {
        await client.query(opts.schema);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [opts.schemaLock]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}
