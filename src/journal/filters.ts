/**
 * Journal query parameters as the API and the CLI spell them, validated into a JournalQuery.
 * Every value is a string (query parameters); anything malformed is a 400 naming the parameter,
 * never echoing its value. A raw token accessor is HMAC'd here with the journal's salt, as the
 * journal keeps accessors.
 *
 * A policy's parameter constraints (required, allowed, denied) judge these strings as sent, so a
 * value is used as given or refused — never dropped or rewritten into another: an empty value
 * would otherwise satisfy `required_parameters` while filtering nothing, and a rewritten path
 * prefix would slip past `denied_parameters`.
 */
import { invalid } from '../errors/index.js';
import { parseRfc3339Ns } from './import/time.js';
import { JOURNAL_KINDS, MAX_PAGE, type JournalFilter, type JournalKeys, type JournalKind, type JournalOrder } from './types.js';

/** Query parameter → the key it filters on. */
export const KEY_PARAMETERS = {
  request_id: 'requestId',
  accessor: 'accessor',
  entity_id: 'entityId',
  correlation_id: 'correlationId',
  access_key_id: 'accessKeyId',
  user_arn: 'userArn',
  key_arn: 'keyArn',
  capsule: 'capsule',
  remote_address: 'remoteAddress',
  outcome: 'outcome',
} as const satisfies Record<string, Exclude<keyof JournalKeys, 'path'>>;

/**
 * The parameters read as comma-separated lists, each element a filter of its own. The query paths
 * declare them, so a policy's `allowed_parameters` judge each element (auth/policy/parameters.ts).
 */
export const LIST_PARAMETERS: readonly string[] = ['kind'];

export const QUERY_PARAMETERS = [...Object.keys(KEY_PARAMETERS), 'kind', 'since', 'until', 'path_prefix', 'imported', 'after_seq', 'limit', 'cursor', 'order', 'format'] as const;

export const DEFAULT_PAGE = 100;
/** Longest accepted filter value: ids, ARNs and paths fit with room to spare. */
const MAX_VALUE = 2048;

export interface ParsedQuery {
  filter: JournalFilter;
  order: JournalOrder;
  limit: number;
  cursor?: string;
  /** `raw`: each record's text as a string (`text`) instead of parsed (`record`) — for export. */
  format: 'json' | 'raw';
}

const problem = (message: string) => invalid(message, 'journal_invalid_filter');

/** The ends of the journal's time range (ns in a signed 64-bit integer). */
const EARLIEST = '1677-09-21T00:12:43.145224192Z';
const LATEST = '2262-04-11T23:47:16.854775807Z';

/**
 * RFC 3339 (with up to 9 fractional digits) → ns since the epoch. Strict, as imports are: a date
 * that does not exist (February 30, 24:00) is refused rather than rolled over, and so is a time a
 * signed 64-bit count of ns cannot hold, as the journal stores times.
 */
export function parseTimeNs(value: string, name: string): bigint {
  const ns = parseRfc3339Ns(value);
  if (ns === undefined) throw problem(`"${name}" must be an RFC 3339 time such as 2026-01-02T03:04:05Z, a real date and time from ${EARLIEST} to ${LATEST}`);
  return ns;
}

export function parseJournalQuery(params: Readonly<Record<string, unknown>>, hashAccessor: (accessor: string) => string): ParsedQuery {
  const get = (name: string): string | undefined => {
    if (!Object.hasOwn(params, name)) return undefined;
    const v = params[name];
    if (typeof v !== 'string') throw problem(`"${name}" must be a string`);
    if (v.length > MAX_VALUE) throw problem(`"${name}" is longer than ${MAX_VALUE} characters`);
    if (v === '') throw problem(`"${name}" is empty: leave the parameter out rather than send it without a value`);
    return v;
  };
  for (const name of Object.keys(params)) {
    if (!(QUERY_PARAMETERS as readonly string[]).includes(name)) throw problem(`unknown parameter "${name.slice(0, 64)}" (known: ${QUERY_PARAMETERS.join(', ')})`);
  }
  const filter: JournalFilter = {};
  const kind = get('kind');
  if (kind !== undefined) {
    // A kind named twice is one kind: a query reads each kind once (query.ts has an arm per kind).
    // Split as the ACL judges it (LIST_PARAMETERS): on commas, nothing trimmed.
    const kinds = [...new Set(kind.split(','))];
    for (const k of kinds) if (!(JOURNAL_KINDS as readonly string[]).includes(k)) throw problem(`"kind" must be among ${JOURNAL_KINDS.join(', ')}`);
    filter.kinds = kinds as JournalKind[];
  }
  const since = get('since');
  if (since !== undefined) filter.sinceNs = parseTimeNs(since, 'since');
  const until = get('until');
  if (until !== undefined) filter.untilNs = parseTimeNs(until, 'until');
  const keys: NonNullable<JournalFilter['keys']> = {};
  for (const [param, key] of Object.entries(KEY_PARAMETERS)) {
    const value = get(param);
    if (value === undefined) continue;
    if (key === 'outcome' && value !== 'success' && value !== 'failure') throw problem('"outcome" must be success or failure');
    // An accessor as the journal shows it (already HMAC'd) is taken as is; a raw one is hashed.
    keys[key] = key === 'accessor' && !value.startsWith('hmac-sha256:') ? hashAccessor(value) : value;
  }
  if (Object.keys(keys).length > 0) filter.keys = keys;
  const pathPrefix = get('path_prefix');
  if (pathPrefix !== undefined) {
    // The journal keeps paths relative to /v1/, so none starts with "/"; a leading "v1/" names a
    // mount called v1 and is taken as written.
    if (pathPrefix.startsWith('/')) throw problem('"path_prefix" is a request path as the journal keeps it, without a leading "/" or "/v1/": secret/data/app/ for /v1/secret/data/app/');
    filter.pathPrefix = pathPrefix;
  }
  const imported = get('imported');
  if (imported !== undefined) {
    if (imported !== 'true' && imported !== 'false') throw problem('"imported" must be true or false');
    filter.imported = imported === 'true';
  }
  const afterSeq = get('after_seq');
  if (afterSeq !== undefined) {
    // -1 is before the first record (seq 0): every record follows it. No leading zero: 007 is not
    // another spelling of 7 that a denied_parameters value would miss.
    if (!/^(-1|0|[1-9]\d{0,14})$/.test(afterSeq)) throw problem('"after_seq" must be a record\'s seq (a non-negative integer without leading zeros), or -1 for all');
    filter.afterSeq = Number(afterSeq);
  }
  const order = get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw problem('"order" must be asc or desc');
  const limitText = get('limit');
  const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
  if (!/^[1-9]\d*$/.test(limitText ?? '1') || limit > MAX_PAGE) throw problem(`"limit" must be an integer from 1 to ${MAX_PAGE}, without leading zeros`);
  const format = get('format') ?? 'json';
  if (format !== 'json' && format !== 'raw') throw problem('"format" must be json or raw');
  return { filter, order, limit, cursor: get('cursor'), format };
}
