/**
 * Prepared statements of the event store. A lookup is built from its shape (which attribute,
 * which bounds, whether it continues after a cursor) and cached, so each shape is prepared once.
 * Newest first is `ORDER BY time_ms DESC, seq DESC`, served by an index ending in time_ms (the
 * rowid seq is the implicit last column); paging is keyset: `(time_ms, seq) < (cursor)`.
 */
import type Database from 'better-sqlite3';
import type { EventQuery, LookupAttributeKey } from './types.js';

export interface RawRow {
  seq: number;
  time_ms: number;
  event_id: string;
  record: Buffer;
}

const COLUMN_BY_KEY: Partial<Record<LookupAttributeKey, string>> = {
  EventId: 'event_id',
  EventName: 'event_name',
  ReadOnly: 'read_only',
  Username: 'username',
  EventSource: 'event_source',
  AccessKeyId: 'access_key_id',
};
const SIDE_TABLE: Partial<Record<LookupAttributeKey, { table: string; column: string }>> = {
  ResourceName: { table: 'event_resource_names', column: 'name' },
  ResourceType: { table: 'event_resource_types', column: 'type' },
};

export function buildSql(query: EventQuery): string {
  const side = query.attribute ? SIDE_TABLE[query.attribute.key] : undefined;
  // With a side table, filter and order on its (value, time_ms, seq) primary key, then join.
  const t = side ? 'r' : 'e';
  const where: string[] = [];
  if (query.attribute) where.push(side ? `r.${side.column} = @value` : `e.${COLUMN_BY_KEY[query.attribute.key]} = @value`);
  if (query.startMs !== undefined) where.push(`${t}.time_ms >= @startMs`);
  if (query.endMs !== undefined) where.push(`${t}.time_ms <= @endMs`);
  // The plain `time_ms <=` bound lets the planner start the range scan at the cursor.
  if (query.throughSeq !== undefined) where.push(`${t}.seq <= @throughSeq`);
  if (query.before) where.push(`${t}.time_ms <= @beforeTime AND (${t}.time_ms, ${t}.seq) < (@beforeTime, @beforeSeq)`);
  const from = side ? `${side.table} r JOIN events e ON e.seq = r.seq` : 'events e';
  const cond = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return `SELECT e.seq AS seq, e.time_ms AS time_ms, e.event_id AS event_id, e.record AS record FROM ${from} ${cond} ORDER BY ${t}.time_ms DESC, ${t}.seq DESC LIMIT @limit`;
}

export function paramsOf(query: EventQuery): Record<string, unknown> {
  const params: Record<string, unknown> = { limit: query.limit };
  if (query.attribute) params.value = query.attribute.value;
  if (query.startMs !== undefined) params.startMs = query.startMs;
  if (query.endMs !== undefined) params.endMs = query.endMs;
  if (query.throughSeq !== undefined) params.throughSeq = query.throughSeq;
  if (query.before) { params.beforeTime = query.before.timeMs; params.beforeSeq = query.before.seq; }
  return params;
}

const shapeOf = (q: EventQuery) =>
  `${q.attribute?.key ?? '-'}|${q.startMs !== undefined}|${q.endMs !== undefined}|${q.before !== undefined}|${q.throughSeq !== undefined}`;

export interface EventQueries {
  select(query: EventQuery): RawRow[];
  /** For tests and the benchmark: how SQLite runs a query shape. */
  explain(query: EventQuery): Array<{ detail: string }>;
  since: Database.Statement<[number, number], RawRow>;
  settledSeq: Database.Statement<[string, number], number>;
  count: Database.Statement<[], number>;
  /** The event ids, of those in a JSON array, that the indexed table holds. */
  held: Database.Statement<[string], string>;
}

export function prepareQueries(db: Database.Database): EventQueries {
  const lookups = new Map<string, Database.Statement<[Record<string, unknown>], RawRow>>();
  const select = (query: EventQuery): RawRow[] => {
    const shape = shapeOf(query);
    let stmt = lookups.get(shape);
    if (!stmt) {
      stmt = db.prepare<[Record<string, unknown>], RawRow>(buildSql(query));
      lookups.set(shape, stmt);
    }
    return stmt.all(paramsOf(query));
  };
  return {
    select,
    explain: (query: EventQuery) => db.prepare(`EXPLAIN QUERY PLAN ${buildSql(query)}`).all(paramsOf(query)) as Array<{ detail: string }>,
    since: db.prepare<[number, number], RawRow>('SELECT seq, time_ms, event_id, record FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    // Walks back from the newest row only over recent CloudTrail reads (the rowid order).
    settledSeq: db.prepare<[string, number], number>(
      "SELECT seq FROM events WHERE NOT (event_source = ? AND read_only = 'true') OR time_ms <= ? ORDER BY seq DESC LIMIT 1",
    ).pluck(),
    count: db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck(),
    // One probe of the event id index per id.
    held: db.prepare<[string], string>('SELECT event_id FROM events WHERE event_id IN (SELECT value FROM json_each(?))').pluck(),
  };
}
