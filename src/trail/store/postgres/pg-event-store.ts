/**
 * The event store on PostgreSQL: the SQLite store's records (AES-256-GCM under the same key),
 * index columns and lookups (the same SQL, positional parameters). Appends arriving together are
 * one transaction, one at a time (lib/group-commit.ts); each append's promise resolves after that
 * commit.
 */
import type { Clock } from '../../../lib/clock.js';
import { groupCommit } from '../../../lib/group-commit.js';
import { inTransaction, withClient } from '../../../lib/pg-pool.js';
import { indexColumns, type IndexColumns } from '../index-columns.js';
import { recordCipher } from '../record-cipher.js';
import { buildSql, paramsOf } from '../queries.js';
import { DEFAULT_RETENTION_MS } from '../event-store.js';
import { checkHeldIds, type AppendInput, type EventQuery, type EventStore, type StoredEvent } from '../types.js';
import { openEventPool } from './schema.js';

const CLOUDTRAIL_SOURCE = 'cloudtrail.amazonaws.com';

export interface PostgresEventStoreOptions {
  /** postgres://... (never logged). */
  url: string;
  encryptionKey: Uint8Array;
  clock: Clock;
  retentionMs?: number;
  purgeIntervalMs?: number;
  /** A pooled connection failed while idle. */
  onError?: (err: Error) => void;
}

interface Row {
  seq: string;
  time_ms: string;
  event_id: string;
  record: Buffer;
}

/** The lookup's SQL with `$n` for SQLite's named `@name` parameters. */
function positional(query: EventQuery): { sql: string; params: unknown[] } {
  const named = paramsOf(query);
  const order: string[] = [];
  const sql = buildSql(query).replace(/@(\w+)/g, (_m, name: string) => {
    let at = order.indexOf(name);
    if (at < 0) at = order.push(name) - 1;
    return `$${at + 1}`;
  });
  return { sql, params: order.map((name) => named[name]) };
}

export async function createPostgresEventStore(opts: PostgresEventStoreOptions): Promise<EventStore> {
  const pool = await openEventPool(opts.url, opts.onError ?? (() => undefined));
  const cipher = recordCipher(opts.encryptionKey);
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;

  const insertAll = async (inputs: readonly AppendInput[]): Promise<number[]> => {
    if (inputs.length === 0) return [];
    const cols: IndexColumns[] = inputs.map((i) => indexColumns(i.record));
    return withClient(pool, (client) => inTransaction(client, async () => {
      const { rows } = await client.query<{ first: string }>('UPDATE event_counter SET next = next + $1 WHERE id = 1 RETURNING next - $1 AS first', [inputs.length]);
      const first = Number(rows[0].first);
      // An event id already stored is not stored again (its seq is left unused), as on SQLite.
      const inserted = await client.query<{ seq: string }>(
        'INSERT INTO events (seq, event_id, time_ms, event_name, read_only, username, event_source, access_key_id, record) '
          + 'SELECT $1::bigint + u.o - 1, u.event_id, u.time_ms, u.event_name, u.read_only, u.username, u.event_source, u.access_key_id, u.record '
          + 'FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[]) '
          + 'WITH ORDINALITY AS u(event_id, time_ms, event_name, read_only, username, event_source, access_key_id, record, o) '
          + 'ON CONFLICT (event_id) DO NOTHING RETURNING seq',
        [first, cols.map((c) => c.eventId), inputs.map((i) => i.timeMs), cols.map((c) => c.eventName), cols.map((c) => c.readOnly),
          cols.map((c) => c.username), cols.map((c) => c.eventSource), cols.map((c) => c.accessKeyId),
          inputs.map((i, k) => cipher.seal(cols[k].eventId, i.json ?? JSON.stringify(i.record)))],
      );
      const stored = new Set(inserted.rows.map((r) => Number(r.seq)));
      for (const [table, column, values] of [['event_resource_names', 'name', (c: IndexColumns) => c.resourceNames], ['event_resource_types', 'type', (c: IndexColumns) => c.resourceTypes]] as const) {
        const v: string[] = [];
        const t: number[] = [];
        const s: number[] = [];
        cols.forEach((c, k) => {
          if (!stored.has(first + k)) return;
          for (const value of values(c)) { v.push(value); t.push(inputs[k].timeMs); s.push(first + k); }
        });
        if (v.length > 0) {
          await client.query(`INSERT INTO ${table} (${column}, time_ms, seq) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`, [v, t, s]);
        }
      }
      return inputs.map((_, k) => first + k);
    }));
  };

  const purge = async (cutoff: number): Promise<number> => {
    return withClient(pool, (client) => inTransaction(client, async () => {
      await client.query('DELETE FROM event_resource_names WHERE time_ms < $1', [cutoff]);
      await client.query('DELETE FROM event_resource_types WHERE time_ms < $1', [cutoff]);
      return (await client.query('DELETE FROM events WHERE time_ms < $1', [cutoff])).rowCount ?? 0;
    }));
  };

  // Appends arriving together share one transaction (lib/group-commit.ts).
  const commits = groupCommit((inputs: AppendInput[]) => insertAll(inputs));
  let closed = false;

  const decrypt = (rows: Row[]): StoredEvent[] => rows.map((r) => ({ seq: Number(r.seq), timeMs: Number(r.time_ms), json: cipher.open(r.event_id, r.record) }));
  const scalar = async (sql: string, params: unknown[] = []): Promise<number> => Number((await pool.query<{ v: string | null }>(sql, params)).rows[0]?.v ?? 0);

  const timer = opts.purgeIntervalMs === 0 ? undefined : setInterval(() => {
    void purge(opts.clock.now() - retentionMs).catch(() => undefined);
  }, opts.purgeIntervalMs ?? 3600_000);
  timer?.unref();

  return {
    append(input) {
      if (closed) return Promise.reject(new Error('event store is closed'));
      const at = commits.forming;
      return commits.add(input).then((seqs) => seqs[at]);
    },
    async appendBatch(inputs) {
      // After the appends before it, as on SQLite: seqs stay in call order.
      await commits.drain();
      await insertAll(inputs);
    },
    async holding(eventIds) {
      checkHeldIds(eventIds);
      const { rows } = await pool.query<{ event_id: string }>('SELECT event_id FROM events WHERE event_id = ANY($1::text[])', [eventIds]);
      return new Set(rows.map((r) => r.event_id));
    },
    async query(query) {
      const { sql, params } = positional(query);
      return decrypt((await pool.query<Row>(sql, params)).rows);
    },
    readSince: async (afterSeq, limit) => decrypt((await pool.query<Row>('SELECT seq, time_ms, event_id, record FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit])).rows),
    lastSeq: () => scalar('SELECT MAX(seq) AS v FROM events'),
    settledSeq: (sinceMs) => scalar("SELECT seq AS v FROM events WHERE NOT (event_source = $1 AND read_only = 'true') OR time_ms <= $2 ORDER BY seq DESC LIMIT 1", [CLOUDTRAIL_SOURCE, sinceMs]),
    count: () => scalar('SELECT COUNT(*) AS v FROM events'),
    purgeExpired: () => purge(opts.clock.now() - retentionMs),
    async explainQuery(query) {
      const { sql, params } = positional(query);
      return (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await commits.drain();
      await pool.end();
    },
  };
}
