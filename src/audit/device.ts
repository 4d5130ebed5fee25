/**
 * An audit device: a sink plus the per-device pipeline that feeds it. `process` runs
 * hash → (elide) → format → prefix on the device's own copy of the entry and hands the line to
 * the sink. Lines reach the sink synchronously, in call order, so entries keep their order within
 * a device even when many requests are in flight (the sink keeps writes ordered; a file sink can
 * group-commit them).
 */
import type { AuditSink, EntryFacts } from './devices/types.js';
import type { CommonOptions } from './device-options.js';
import { createAuthJsonWriter } from './auth-json.js';
import { buildEntry, mountPoint, type EntryHasher, type EntryKind, type EntryOptions } from './entry.js';
import { evaluateFilter, filterBudget, type FilterBudget, type FilterSubject } from './filter.js';
import { formatJsonFromBlocks } from './format-json.js';
import { formatJsonx } from './format-jsonx.js';
import { markEntry, markJsonLine, reducedInput } from './reduced-entry.js';
import { createRequestJsonWriter } from './request-json.js';
import { createResponseJsonWriter } from './response-json.js';
import { createEntryHasher, createSalt, memoizedHash, type Salt } from './hash.js';
import type { AuditInput } from './model.js';
import { flatten } from '../lib/flat-string.js';
import { isUuid } from '../lib/ids.js';
import { rfc3339Nano } from '../lib/time.js';

export interface DeviceDefinition {
  /** Normalised mount path ending in `/`. */
  path: string;
  type: string;
  description: string;
  options: Readonly<Record<string, string>>;
  local: boolean;
  /** The device's HMAC key: a random UUID string. */
  salt: string;
}

export type AuditedHeaders = EntryOptions['headers'];

export interface AuditDevice extends Readonly<DeviceDefinition> {
  readonly config: CommonOptions;
  readonly sink: AuditSink;
  /** False when the device's filter excludes this entry (true without a filter). */
  accepts(input: AuditInput): boolean;
  /** Formats the entry and writes it; resolves when the sink accepted the line. */
  process(input: AuditInput, kind: EntryKind, headers?: AuditedHeaders): Promise<void>;
  /** The line `process` would write (exposed for tests and the benchmark). */
  format(input: AuditInput, kind: EntryKind, headers?: AuditedHeaders): string;
  /** HMAC of a value with this device's salt (sys/audit-hash). */
  hash(value: string): string;
}

/** One filter budget per request, drawn on by every device's filter for both its entries. */
const budgets = new WeakMap<object, FilterBudget>();
function filterBudgetOf(request: object): FilterBudget {
  let b = budgets.get(request);
  if (!b) budgets.set(request, (b = filterBudget()));
  return b;
}

export function filterSubject(input: AuditInput): FilterSubject {
  return {
    mount_point: mountPoint(input) ?? '',
    mount_type: input.mount?.type ?? '',
    namespace: '', // the root namespace's path
    operation: input.operation,
    path: input.request.path,
  };
}

/**
 * The attestation login's correlation id, as the server established it: the id `init` handed out
 * (`response.data.data`), or the one a login consumed (its answer's `response.data.data`, or a
 * refused login's `response.data`, set only when the request held the challenge). Never the
 * request body's: that is anyone's text, and whoever knows an id could otherwise file requests
 * under it by the thousand, pushing its enclave's own records out of a timeline. A request entry
 * has none; a timeline joins it to its response by the request id.
 */
function correlationIdOf(input: AuditInput, kind: EntryKind): string | undefined {
  // Only an attestation login's: a journal search naming a correlation id is not part of it.
  if (kind !== 'response' || input.mount?.type !== 'apm') return undefined;
  const data = input.response?.data;
  const inner = data?.data;
  const given = (inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>).correlation_id : undefined) ?? data?.correlation_id;
  // Lower-cased, as init hands it out and the login keeps it.
  return typeof given === 'string' && isUuid(given) ? given.toLowerCase() : undefined;
}

/** The facts an indexing sink keeps beside an entry's line (the accessor HMAC'd by `hashAccessor`). */
export function entryFacts(input: AuditInput, kind: EntryKind, hashAccessor: (accessor: string) => string): EntryFacts {
  const issued = kind === 'response' ? input.issuedAuth : undefined;
  // A wrapped creation's answer holds its token in the wrap: the entry joins that token, as an unwrapped one does.
  const wrapped = kind === 'response' ? input.response?.wrapInfo?.wrappedAccessor : undefined;
  const accessor = issued?.accessor ?? wrapped ?? input.token?.accessor;
  const entityId = issued?.entityId ?? input.token?.entityId;
  const status = input.response?.httpStatus;
  return {
    kind,
    timeNs: input.timeNs,
    requestId: input.request.id,
    accessor: accessor ? hashAccessor(accessor) : undefined,
    entityId: entityId || undefined,
    correlationId: correlationIdOf(input, kind),
    remoteAddress: input.request.remoteAddress || undefined,
    path: input.request.path,
    operation: input.operation,
    failed: (input.error !== undefined && input.error !== '') || (status !== undefined && status >= 400),
  };
}

export function createAuditDevice(def: DeviceDefinition, config: CommonOptions, sink: AuditSink): AuditDevice {
  const salt: Salt = createSalt(def.salt);
  const hasher: EntryHasher = createEntryHasher(salt, { hmacAccessor: config.hmacAccessor, raw: config.logRaw });
  // An indexing sink's accessor key is always hashed; when the entry hashes it too, the same memo serves both.
  const factsAccessor = config.hmacAccessor && !config.logRaw ? hasher.accessor : memoizedHash(salt);
  const filter = config.filter?.ast;

  const writeAuthJson = createAuthJsonWriter(hasher);
  const writeRequestJson = createRequestJsonWriter(hasher);
  const writeResponseJson = createResponseJsonWriter(hasher);
  /** This device's key for its request-block text in AuditInput.shared. */
  const requestText = {};

  function formatJsonEntry(input: AuditInput, kind: EntryKind, headers?: AuditedHeaders): string {
    const opts = { elideListResponses: config.elideListResponses, headers };
    const auth = writeAuthJson(input, kind);
    // The same request block opens the request's response entry: written once per request.
    let request = input.shared?.get<string>(requestText);
    if (request === undefined) {
      request = writeRequestJson(input, opts);
      if (input.shared) input.shared.set(requestText, flatten(request));
    }
    const response = kind === 'response' ? writeResponseJson(input, opts) : undefined;
    return formatJsonFromBlocks(rfc3339Nano(input.timeNs), kind, auth, request, response, input.error);
  }

  function format(input: AuditInput, kind: EntryKind, headers?: AuditedHeaders): string {
    if (config.format === 'jsonx') {
      return config.prefix + formatJsonx(buildEntry(input, kind, hasher, { elideListResponses: config.elideListResponses, headers }));
    }
    return config.prefix + formatJsonEntry(input, kind, headers);
  }

  /** The entry without what can make it large, marked with the full line's size (reduced-entry.ts). */
  function formatReduced(input: AuditInput, kind: EntryKind, fullBytes: number): string {
    const reduced = reducedInput(input);
    if (config.format === 'jsonx') {
      return config.prefix + formatJsonx(markEntry(buildEntry(reduced, kind, hasher, { elideListResponses: config.elideListResponses }), fullBytes));
    }
    return config.prefix + markJsonLine(formatJsonEntry(reduced, kind), fullBytes);
  }

  return {
    ...def,
    options: { ...def.options },
    config,
    sink,
    accepts: (input) => (filter ? evaluateFilter(filter, filterSubject(input), filterBudgetOf(input.request)) : true),
    format,
    process(input, kind, headers) {
      try {
        const reduced = (fullBytes: number) => formatReduced(input, kind, fullBytes);
        if (sink.writeEntry) return sink.writeEntry(format(input, kind, headers), entryFacts(input, kind, factsAccessor), reduced);
        return sink.write(format(input, kind, headers), reduced);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    hash: (value) => salt.hash(value),
  };
}
