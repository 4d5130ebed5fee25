/**
 * A journal query as SQL. Results are in (time_ns, seq) order and pages are keyset pages on that
 * pair, bounded by the seq the first page saw, so no page skips or repeats a record however many
 * arrive meanwhile. Each filter is an equality or range on an indexed column; a path prefix is an
 * equality on the generated prefix column of its longest indexed segment boundary (then a range
 * on the path when it goes deeper). Values are always bound
 * parameters; column names come only from KEY_COLUMNS.
 */
import { INDEXED_PREFIX_SEGMENTS, PREFIX_COLUMNS, RECORD_COLUMNS } from './schema.js';
import { KEY_COLUMNS, type JournalQuery } from './types.js';

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** The smallest string greater than every string that starts with `prefix`. */
function prefixUpperBound(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

/** The path's indexed prefixes: up to its first INDEXED_PREFIX_SEGMENTS segments, each ending in `/`. */
export function indexedPrefixes(path: string): string[] {
  const out: string[] = [];
  let at = path.indexOf('/');
  while (at >= 0 && out.length < INDEXED_PREFIX_SEGMENTS) {
    out.push(path.slice(0, at + 1));
    at = path.indexOf('/', at + 1);
  }
  return out;
}

/** The longest indexed prefix every path starting with `prefix` has, if any. */
function indexedPrefixFor(prefix: string): string | undefined {
  return indexedPrefixes(prefix).at(-1);
}

/**
 * `columns`: what each row holds (the record's stored columns unless told). `limitArms`: each arm
 * of a several-kinds query is ordered and limited on its own (PostgreSQL, which does not merge the
 * arms' index orders: it then sorts at most `limit` rows of each).
 */
export function querySql(q: JournalQuery, columns: string = RECORD_COLUMNS, limitArms = false): SqlQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const viaPrefix = q.pathPrefix !== undefined && q.pathPrefix !== '' ? indexedPrefixFor(q.pathPrefix) : undefined;
  if (viaPrefix !== undefined) {
    where.push(`r.${PREFIX_COLUMNS[indexedPrefixes(viaPrefix).length - 1]} = ?`);
    params.push(viaPrefix);
  }
  const kinds = q.kinds ?? [];
  // Several kinds and nothing else to narrow by: one arm per kind, each a range of records_by_kind
  // in order, merged — an IN list would read every record of those kinds and sort them.
  const onlyKinds = kinds.length > 0 && viaPrefix === undefined && q.requestIds === undefined && q.seqs === undefined && q.afterSeq === undefined
    && Object.entries(q.keys ?? {}).every(([name, value]) => value === undefined || name === 'outcome');
  const armPerKind = onlyKinds && kinds.length > 1;
  // Failures of some kinds: their own index (the planner, without statistics, takes records_by_kind
  // and reads every record of the kind to find its failures).
  const from = onlyKinds && q.keys?.outcome === 'failure' ? 'records r INDEXED BY records_failed_by_kind' : 'records r';
  if (kinds.length === 1) {
    where.push('r.kind = ?');
    params.push(kinds[0]);
  } else if (kinds.length > 1 && !armPerKind) {
    where.push(`r.kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  if (q.sinceNs !== undefined) {
    where.push(`r.time_ns >= ?`);
    params.push(q.sinceNs);
  }
  if (q.untilNs !== undefined) {
    where.push(`r.time_ns <= ?`);
    params.push(q.untilNs);
  }
  for (const [name, value] of Object.entries(q.keys ?? {})) {
    if (value === undefined) continue;
    if (!Object.hasOwn(KEY_COLUMNS, name) || name === 'path') throw new TypeError(`not a journal filter key: ${name}`);
    if (name === 'outcome') {
      // A literal, so the planner can use the partial index of failures.
      if (value !== 'success' && value !== 'failure') throw new TypeError('outcome is success or failure');
      where.push(`r.outcome = '${value}'`);
      continue;
    }
    where.push(`r.${KEY_COLUMNS[name as keyof typeof KEY_COLUMNS]} = ?`);
    params.push(value);
  }
  if (q.pathPrefix !== undefined && q.pathPrefix !== '' && q.pathPrefix !== viaPrefix) {
    where.push('r.path >= ? AND r.path < ?');
    params.push(q.pathPrefix, prefixUpperBound(q.pathPrefix));
  }
  if (q.requestIds !== undefined) {
    where.push(`r.request_id IN (${q.requestIds.map(() => '?').join(', ')})`);
    params.push(...q.requestIds);
  }
  if (q.seqs !== undefined) {
    where.push(`r.seq IN (${q.seqs.map(() => '?').join(', ')})`);
    params.push(...q.seqs);
  }
  if (q.imported !== undefined) where.push(q.imported ? 'r.origin_file IS NOT NULL' : 'r.origin_file IS NULL');
  if (q.afterSeq !== undefined) {
    where.push(`r.seq > ?`);
    params.push(q.afterSeq);
  }
  if (q.throughSeq !== undefined) {
    where.push(`r.seq <= ?`);
    params.push(q.throughSeq);
  }
  if (q.after !== undefined) {
    where.push(`(r.time_ns, r.seq) ${q.order === 'asc' ? '>' : '<'} (?, ?)`);
    params.push(q.after.timeNs, q.after.seq);
  }
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  if (armPerKind) {
    const clause = ['r.kind = ?', ...where].join(' AND ');
    if (limitArms) {
      const arms = kinds.map(() => `(SELECT ${columns} FROM ${from} WHERE ${clause} ORDER BY r.time_ns ${dir}, r.seq ${dir} LIMIT ?)`).join(' UNION ALL ');
      return { sql: `${arms} ORDER BY time_ns ${dir}, seq ${dir} LIMIT ?`, params: [...kinds.flatMap((k) => [k, ...params, q.limit]), q.limit] };
    }
    const arms = kinds.map(() => `SELECT ${columns} FROM ${from} WHERE ${clause}`).join(' UNION ALL ');
    return { sql: `${arms} ORDER BY time_ns ${dir}, seq ${dir} LIMIT ?`, params: [...kinds.flatMap((k) => [k, ...params]), q.limit] };
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  params.push(q.limit);
  const orderBy = q.afterSeq !== undefined ? `r.seq ASC` : `r.time_ns ${dir}, r.seq ${dir}`;
  return { sql: `SELECT ${columns} FROM ${from} ${clause} ORDER BY ${orderBy} LIMIT ?`, params };
}
