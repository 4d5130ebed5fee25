/**
 * The HA lock and heartbeats in PostgreSQL (Vault's HABackend, as OpenBao's postgresql backend
 * provides it). Every time is the database's `now()`, never a node's clock: a lease is valid while
 * `expires_at > now()` on the one server that decides. Acquiring is one UPDATE of the single lock
 * row that succeeds only when the row is free or expired (or already ours), so two nodes can never
 * both hold it; renewing succeeds only while the lease is still ours and unexpired.
 */
import pg from 'pg';
import { storageError } from './pg-errors.js';
import { HA_LOCK_TABLE, HA_NODES_TABLE } from './schema.js';

export interface LockHolder {
  nodeId: string;
  apiAddr: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export interface HaNodeRow {
  nodeId: string;
  apiAddr: string;
  lastEcho: Date;
}

/** What the HA module needs from a storage backend (src/ha/types.ts mirrors it). */
export interface PostgresHaBackend {
  tryAcquire(nodeId: string, apiAddr: string, ttlMs: number): Promise<boolean>;
  renew(nodeId: string, ttlMs: number): Promise<boolean>;
  release(nodeId: string): Promise<void>;
  /** The live holder, or undefined when the lock is free or expired. */
  holder(): Promise<LockHolder | undefined>;
  echo(nodeId: string, apiAddr: string): Promise<void>;
  nodes(): Promise<HaNodeRow[]>;
  close(): Promise<void>;
}

/**
 * A pool of its own (two connections): lock renewals never wait behind a busy data pool, and
 * every query gives up after `queryTimeoutMs`, on both sides, so a renewal that hangs fails in
 * time to fence and nothing given up on runs on in the database.
 */
export function createPostgresHaBackend(opts: { connectionUrl: string; queryTimeoutMs: number }): PostgresHaBackend {
  const pool = new pg.Pool({
    connectionString: opts.connectionUrl,
    max: 2,
    connectionTimeoutMillis: opts.queryTimeoutMs,
    // Ended by the server too: an acquire given up on must not take the lock later, unseen.
    statement_timeout: opts.queryTimeoutMs,
    query_timeout: opts.queryTimeoutMs,
    keepAlive: true,
  });
  pool.on('error', () => undefined);
  const run = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>({ text, values });
    } catch (err) {
      throw storageError(err);
    }
  };
  const interval = (ms: number) => `${Math.max(1, Math.round(ms))} milliseconds`;

  return {
    async tryAcquire(nodeId, apiAddr, ttlMs) {
      const r = await run(
        `UPDATE ${HA_LOCK_TABLE} SET holder_id = $1, holder_api_addr = $2, acquired_at = now(), expires_at = now() + $3::interval
         WHERE name = 'active' AND (expires_at <= now() OR holder_id = $1)`,
        [nodeId, apiAddr, interval(ttlMs)],
      );
      return r.rowCount === 1;
    },
    async renew(nodeId, ttlMs) {
      const r = await run(
        `UPDATE ${HA_LOCK_TABLE} SET expires_at = now() + $2::interval
         WHERE name = 'active' AND holder_id = $1 AND expires_at > now()`,
        [nodeId, interval(ttlMs)],
      );
      return r.rowCount === 1;
    },
    async release(nodeId) {
      await run(`UPDATE ${HA_LOCK_TABLE} SET expires_at = '-infinity' WHERE name = 'active' AND holder_id = $1`, [nodeId]);
    },
    async holder() {
      const r = await run<{ holder_id: string; holder_api_addr: string; acquired_at: Date; expires_at: Date }>(
        `SELECT holder_id, holder_api_addr, acquired_at, expires_at FROM ${HA_LOCK_TABLE} WHERE name = 'active' AND expires_at > now()`,
        [],
      );
      const row = r.rows[0];
      return row ? { nodeId: row.holder_id, apiAddr: row.holder_api_addr, acquiredAt: row.acquired_at, expiresAt: row.expires_at } : undefined;
    },
    async echo(nodeId, apiAddr) {
      await run(
        `INSERT INTO ${HA_NODES_TABLE} (node_id, api_addr, last_echo) VALUES ($1, $2, now())
         ON CONFLICT (node_id) DO UPDATE SET api_addr = excluded.api_addr, last_echo = excluded.last_echo`,
        [nodeId, apiAddr],
      );
    },
    async nodes() {
      const r = await run<{ node_id: string; api_addr: string; last_echo: Date }>(
        `SELECT node_id, api_addr, last_echo FROM ${HA_NODES_TABLE} ORDER BY node_id`,
        [],
      );
      return r.rows.map((row) => ({ nodeId: row.node_id, apiAddr: row.api_addr, lastEcho: row.last_echo }));
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
