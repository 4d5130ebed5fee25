/**
 * What Elastic's `hashicorp_vault` integration does to one audit log line: its `audit` data
 * stream's ingest pipeline (elastic/integrations, packages/hashicorp_vault/data_stream/audit/
 * elasticsearch/ingest_pipeline/default.yml) and the field types its index maps
 * (…/data_stream/audit/fields/fields.yml). Only what those files do is evaluated here, so a line
 * this evaluator refuses is one Elastic would mark `event.kind: pipeline_error` (the pipeline's
 * on_failure) or index without the value.
 *
 * The pipeline, processor by processor (`hv.` = `hashicorp_vault.audit.`):
 *
 * | processor                                  | field(s)                         | fails the document when                         |
 * |--------------------------------------------|----------------------------------|-------------------------------------------------|
 * | json (ignore_failure) → hv.*               | the line                         | (never itself; a non-JSON line has no hv.time)  |
 * | date, formats [ISO8601] → @timestamp       | hv.time (then removed)           | missing, or not an ISO 8601 date-time           |
 * | set event.kind event, append category authentication | —                      | —                                               |
 * | append event.type by hv.request.operation  | delete → info,end; update → info; read/list/create → info,start | —      |
 * | append event.type info if hv.error != null, and again if error.contains("denied") | hv.error | error is not a string (script error) |
 * | set event.action copy_from                 | hv.request.operation             | missing                                         |
 * | set event.outcome                          | hv.error == null → success, else failure (so `"error":""` is a failure) | — |
 * | set event.id copy_from (ignore_failure)    | hv.request.id                    | —                                               |
 * | set message copy_from (ignore_failure)     | hv.error                         | —                                               |
 * | convert type ip → source.ip (ignore_missing) | hv.request.remote_address      | present and not an IPv4/IPv6 literal            |
 * | convert type long → source.port (ignore_missing) | hv.request.remote_port     | present and not an integer                      |
 * | set user.email / user.id (ignore_failure)  | hv.auth.metadata.email / .account_id | —                                           |
 * | set nomad.* when all four Nomad metadata keys exist | hv.auth.metadata.*      | —                                               |
 * | geoip source.geo / source.as (ignore_missing), append related.ip | source.ip | —                                        |
 * | remove event.original unless tagged preserve_original_event | —              | —                                               |
 *
 * The index then maps the fields below (fields.yml); a value that does not fit its type is
 * rejected with the document, or dropped from it where the index ignores malformed values.
 */
import { isIP } from 'node:net';

export type FieldType = 'keyword' | 'long' | 'date' | 'ip' | 'boolean' | 'flattened';

/** fields.yml of the audit data stream, under `hashicorp_vault.audit.`. */
export const MAPPED_FIELDS: Readonly<Record<string, FieldType>> = {
  'type': 'keyword',
  'error': 'keyword',
  'entity_created': 'boolean',
  'auth.accessor': 'keyword',
  'auth.client_token': 'keyword',
  'auth.display_name': 'keyword',
  'auth.entity_id': 'keyword',
  'auth.external_namespace_policies': 'flattened',
  'auth.identity_policies': 'keyword',
  'auth.metadata': 'flattened',
  'auth.no_default_policy': 'boolean',
  'auth.policies': 'keyword',
  'auth.policy_results.allowed': 'boolean',
  'auth.policy_results.granting_policies.name': 'keyword',
  'auth.policy_results.granting_policies.namespace_id': 'keyword',
  'auth.policy_results.granting_policies.type': 'keyword',
  'auth.remaining_uses': 'long',
  'auth.token_issue_time': 'date',
  'auth.token_policies': 'keyword',
  'auth.token_ttl': 'long',
  'auth.token_type': 'keyword',
  'request.client_certificate_serial_number': 'keyword',
  'request.client_id': 'keyword',
  'request.client_token': 'keyword',
  'request.client_token_accessor': 'keyword',
  'request.data': 'flattened',
  'request.headers': 'flattened',
  'request.id': 'keyword',
  'request.mount_accessor': 'keyword',
  'request.mount_class': 'keyword',
  'request.mount_point': 'keyword',
  'request.mount_running_version': 'keyword',
  'request.mount_type': 'keyword',
  'request.namespace.id': 'keyword',
  'request.namespace.path': 'keyword',
  'request.operation': 'keyword',
  'request.path': 'keyword',
  'request.policy_override': 'boolean',
  'request.remote_address': 'ip',
  'request.remote_port': 'long',
  'request.replication_cluster': 'keyword',
  'request.wrap_ttl': 'long',
  'response.auth.accessor': 'keyword',
  'response.auth.client_token': 'keyword',
  'response.auth.display_name': 'keyword',
  'response.auth.entity_id': 'keyword',
  'response.auth.external_namespace_policies': 'flattened',
  'response.auth.identity_policies': 'keyword',
  'response.auth.metadata': 'flattened',
  'response.auth.no_default_policy': 'boolean',
  'response.auth.num_uses': 'long',
  'response.auth.policies': 'keyword',
  'response.auth.token_issue_time': 'date',
  'response.auth.token_policies': 'keyword',
  'response.auth.token_ttl': 'long',
  'response.auth.token_type': 'keyword',
  'response.data': 'flattened',
  'response.headers': 'flattened',
  'response.mount_accessor': 'keyword',
  'response.mount_class': 'keyword',
  'response.mount_point': 'keyword',
  'response.mount_running_plugin_version': 'keyword',
  'response.mount_type': 'keyword',
  'response.redirect': 'keyword',
  'response.warnings': 'keyword',
  'response.wrap_info.accessor': 'keyword',
  'response.wrap_info.creation_path': 'keyword',
  'response.wrap_info.creation_time': 'date',
  'response.wrap_info.token': 'keyword',
  'response.wrap_info.ttl': 'long',
  'response.wrap_info.wrapped_accessor': 'keyword',
};

/** The ECS fields the pipeline sets, for assertions on what an analyst sees. */
export interface EcsView {
  '@timestamp': string;
  event: { kind: 'event'; category: string[]; type: string[]; action: unknown; outcome: 'success' | 'failure'; id?: unknown };
  message?: unknown;
  source?: { ip?: string; port?: number };
  user?: { email?: unknown; id?: unknown };
}

export type Ingested = { ok: true; ecs: EcsView; audit: Record<string, any> } | { ok: false; failure: string };

/**
 * The date processor's `ISO8601` format (Elasticsearch's lenient ISO parser): a date, optionally
 * a time to at most nanoseconds, optionally `Z` or an offset.
 */
const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
/** A date field's default mapping format: strict_date_optional_time (or epoch_millis). */
const STRICT_DATE_OPTIONAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
/** flattened fields index at most this many levels of nested objects (depth_limit's default). */
const FLATTENED_DEPTH_LIMIT = 20;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function validCalendar(m: RegExpExecArray): boolean {
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
}

export function isIso8601(v: unknown): boolean {
  const m = typeof v === 'string' ? ISO8601.exec(v) : null;
  return m !== null && validCalendar(m);
}

/** What `convert` with `type: ip` accepts: an IPv4 or IPv6 literal, no zone id, no brackets. */
export function isIpLiteral(v: unknown): boolean {
  return typeof v === 'string' && !v.includes('%') && isIP(v) !== 0;
}

/** What `convert` with `type: long` accepts: an integer (a JSON integer, or its decimal text) that fits 64 bits. */
export function isLong(v: unknown): boolean {
  let n: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return false;
    n = BigInt(v);
  } else if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) {
    n = BigInt(v);
  } else {
    return false;
  }
  return n >= LONG_MIN && n <= LONG_MAX;
}

function fitsType(type: FieldType, v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return type === 'flattened' || v.every((x) => !Array.isArray(x) && fitsType(type, x));
  switch (type) {
    case 'keyword': return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    case 'long': return isLong(v);
    case 'ip': return isIpLiteral(v);
    case 'boolean': return typeof v === 'boolean' || v === 'true' || v === 'false' || v === '';
    case 'date': {
      if (typeof v === 'number') return Number.isInteger(v);
      const m = typeof v === 'string' ? STRICT_DATE_OPTIONAL_TIME.exec(v) : null;
      return m !== null && validCalendar(m);
    }
    case 'flattened': return depth(v) <= FLATTENED_DEPTH_LIMIT;
  }
}

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return (Array.isArray(v) ? 0 : 1) + Math.max(0, ...children.map(depth));
}

/** Every value at `path` (dotted), looking through arrays of objects as Elasticsearch does. */
function valuesAt(obj: unknown, path: string[]): unknown[] {
  if (path.length === 0) return obj === undefined ? [] : [obj];
  if (Array.isArray(obj)) return obj.flatMap((x) => valuesAt(x, path));
  if (obj === null || typeof obj !== 'object') return [];
  return valuesAt((obj as Record<string, unknown>)[path[0]], path.slice(1));
}

/** The mapped fields whose value would not index under fields.yml's type. */
export function mappingViolations(audit: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [field, type] of Object.entries(MAPPED_FIELDS)) {
    for (const v of valuesAt(audit, field.split('.'))) {
      if (!fitsType(type, v)) out.push(`${field} (${type}): ${JSON.stringify(v)}`);
    }
  }
  return out;
}

/** Runs the pipeline over one line; a failure is what would land in error.message. */
export function ingest(line: string): Ingested {
  let audit: unknown;
  try { audit = JSON.parse(line); } catch { audit = undefined; }
  if (audit === null || typeof audit !== 'object' || Array.isArray(audit)) return { ok: false, failure: 'json: not a JSON object (no hashicorp_vault.audit.time follows)' };
  const hv = audit as Record<string, any>;
  if (!isIso8601(hv.time)) return { ok: false, failure: `date: hashicorp_vault.audit.time ${JSON.stringify(hv.time)} is not ISO8601` };
  const operation = hv.request?.operation;
  const type: string[] = [];
  const add = (...vs: string[]) => { for (const v of vs) if (!type.includes(v)) type.push(v); };
  if (operation === 'delete') add('info', 'end');
  if (operation === 'update') add('info');
  if (['read', 'list', 'create'].includes(operation)) add('info', 'start');
  const error = hv.error ?? null;
  if (error !== null && typeof error !== 'string') return { ok: false, failure: `append: error.contains() on a ${typeof error}` };
  if (error !== null) add('info');
  if (operation === undefined || operation === null) return { ok: false, failure: 'set: hashicorp_vault.audit.request.operation is missing (event.action)' };
  const ecs: EcsView = {
    '@timestamp': hv.time,
    event: { kind: 'event', category: ['authentication'], type, action: operation, outcome: error === null ? 'success' : 'failure' },
  };
  if (hv.request?.id !== undefined) ecs.event.id = hv.request.id;
  if (error !== null) ecs.message = error;
  const address = hv.request?.remote_address;
  if (address !== undefined && address !== null) {
    if (!isIpLiteral(address)) return { ok: false, failure: `convert: remote_address ${JSON.stringify(address)} is not an IP` };
    ecs.source = { ip: address };
  }
  const port = hv.request?.remote_port;
  if (port !== undefined && port !== null) {
    if (!isLong(port)) return { ok: false, failure: `convert: remote_port ${JSON.stringify(port)} is not a long` };
    ecs.source = { ...ecs.source, port: Number(port) };
  }
  const metadata = hv.auth?.metadata;
  if (metadata?.email !== undefined || metadata?.account_id !== undefined) ecs.user = { email: metadata.email, id: metadata.account_id };
  return { ok: true, ecs, audit: hv };
}
