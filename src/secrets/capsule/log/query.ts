/**
 * Log queries: `start_date` / `end_date` (RFC 3339, inclusive), exact-match filters, and paging.
 * Results are newest first by default (`order=asc` for oldest first). `start_from_id` continues
 * after that id in the chosen order (exclusive): pass the last id of a page to get the next one;
 * `has_more` says whether there is one. `num_results` defaults to 100, at most 1000.
 */
import { invalid } from '../../../errors/index.js';
import { idTimeMs, LOG_ID_RE } from './ids.js';
import type { CapsuleLogs } from './store.js';

export const DEFAULT_RESULTS = 100;
export const MAX_RESULTS = 1000;

export interface LogQuery {
  startMs?: number;
  endMs?: number;
  startFromId?: string;
  numResults: number;
  order: 'asc' | 'desc';
  /** Field → required value (capsule, operation, session). */
  filters: Record<string, string>;
}

const bad = (message: string) => invalid(message, 'capsule_invalid_query');

function dateParam(data: Record<string, unknown>, name: string): number | undefined {
  const v = data[name];
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw bad(`"${name}" must be an RFC 3339 time such as 2024-03-21T03:20:32Z`);
  return ms;
}

/** Parses query parameters; `allowedFilters` are the exact-match fields this log supports. */
export function parseLogQuery(data: Record<string, unknown>, allowedFilters: readonly string[]): LogQuery {
  const filters: Record<string, string> = {};
  for (const name of ['capsule', 'operation', 'session']) {
    const v = data[name];
    if (v === undefined || v === null || v === '') continue;
    if (!allowedFilters.includes(name)) throw bad(`"${name}" is not a filter of this log`);
    if (typeof v !== 'string') throw bad(`"${name}" must be a string`);
    filters[name] = v;
  }
  const raw = data.num_results;
  const numResults = raw === undefined || raw === null || raw === '' ? DEFAULT_RESULTS : Number(raw);
  if (!Number.isInteger(numResults) || numResults < 1 || numResults > MAX_RESULTS) {
    throw bad(`"num_results" must be an integer from 1 to ${MAX_RESULTS}`);
  }
  const order = data.order === undefined || data.order === '' ? 'desc' : data.order;
  if (order !== 'asc' && order !== 'desc') throw bad('"order" must be "asc" or "desc"');
  const startFromId = data.start_from_id === undefined || data.start_from_id === '' ? undefined : data.start_from_id;
  if (startFromId !== undefined && (typeof startFromId !== 'string' || !LOG_ID_RE.test(startFromId))) {
    throw bad('"start_from_id" must be a log record id (32 hex characters)');
  }
  return { startMs: dateParam(data, 'start_date'), endMs: dateParam(data, 'end_date'), startFromId, numResults, order, filters };
}

export async function runLogQuery<T extends Record<string, unknown>>(
  logs: CapsuleLogs,
  prefix: string,
  q: LogQuery,
): Promise<{ results: T[]; has_more: boolean }> {
  const filtered = Object.keys(q.filters).length > 0;
  let ids = (filtered ? await logs.idsMatching(prefix, q.filters) : await logs.ids(prefix)).filter((id) => {
    const ms = idTimeMs(id);
    return (q.startMs === undefined || ms >= q.startMs) && (q.endMs === undefined || ms <= q.endMs);
  });
  if (q.order === 'desc') ids.reverse();
  if (q.startFromId) {
    const from = q.startFromId;
    ids = ids.filter((id) => (q.order === 'desc' ? id < from : id > from));
  }
  const results: T[] = [];
  for (const id of ids) {
    const record = await logs.get<T>(prefix, id);
    // The index decides; the record is checked too, so an index entry can never widen an answer.
    if (!record || !Object.entries(q.filters).every(([k, v]) => record[k] === v)) continue;
    if (results.length === q.numResults) return { results, has_more: true };
    results.push(record);
  }
  return { results, has_more: false };
}
