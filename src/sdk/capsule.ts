/**
 * Capsules from the SDK: encapsulate data, load it back through a read context, and query the
 * capsule access log and the control log. Works with any client that has Vault's four logical
 * calls (SealtrailClient does); `mount` defaults to `capsule`.
 *
 * @example
 * ```ts
 * const capsule = await encapsulate(client, 'hello John Smith', { writeContext: 'sensitive' });
 * const loaded = await loadCapsule(client, capsule.capsule, { readContext: 'default', parameters: { ticket: 'T-1' } });
 * console.log(loaded.data);                                   // the text, with the context's effects
 * const { results } = await queryAccessLog(client, { startDate: new Date(Date.now() - 60_000) });
 * ```
 */

/** The minimal logical client: SealtrailClient satisfies it. */
export interface CapsuleClient {
  read(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<{ data?: unknown } | undefined>;
  write(path: string, data: Record<string, unknown>): Promise<{ data?: unknown } | undefined>;
  list(path: string): Promise<{ data?: unknown } | undefined>;
  delete(path: string): Promise<unknown>;
}

export interface MountOption {
  mount?: string;
}

export interface TagInput {
  name: string;
  value?: string;
  type?: 'unary' | 'string' | 'number' | 'boolean' | 'date';
}

export type CapsuleData =
  | string
  | Array<Record<string, string | number | boolean | null>>
  | { columns: string[]; rows: Array<Array<string | number | boolean | null>> };

export interface EncapsulateOptions extends MountOption {
  writeContext?: string;
  tags?: TagInput[];
  recordTags?: TagInput[][];
  location?: string;
}

export interface EncapsulateResult {
  capsule_id: string;
  /** base64 */
  capsule: string;
  domain: string;
  key_version: number;
  records: number;
}

export interface LoadOptions extends MountOption {
  readContext?: string;
  parameters?: Record<string, string>;
  location?: string;
}

export interface LoadResult {
  capsule_id: string;
  data?: string;
  records?: Array<Record<string, unknown>>;
  table?: { columns: string[]; rows: unknown[][] };
  summary: Record<string, unknown>;
}

export interface LogQueryOptions extends MountOption {
  startDate?: Date | string;
  endDate?: Date | string;
  /** Continue after this id (the last id of the previous page). */
  startFromId?: string;
  numResults?: number;
  /** Default newest first (`desc`). */
  order?: 'asc' | 'desc';
  session?: string;
}

export interface AccessLogQuery extends LogQueryOptions {
  capsule?: string;
  operation?: 'create' | 'open' | 'read';
}

export interface LogPage<T = Record<string, unknown>> {
  results: T[];
  has_more: boolean;
}

const mountOf = (o: MountOption | undefined) => (o?.mount ?? 'capsule').replace(/^\/+|\/+$/g, '');

function dataOrThrow<T>(reply: { data?: unknown } | undefined, what: string): T {
  if (!reply || typeof reply.data !== 'object' || reply.data === null) throw new Error(`${what}: the server returned no data`);
  return reply.data as T;
}

function shapeField(data: CapsuleData): Record<string, unknown> {
  if (typeof data === 'string') return { data };
  if (Array.isArray(data)) return { records: data };
  return { table: data };
}

export async function encapsulate(client: CapsuleClient, data: CapsuleData, options: EncapsulateOptions = {}): Promise<EncapsulateResult> {
  const body: Record<string, unknown> = { ...shapeField(data), write_context: options.writeContext ?? 'default' };
  if (options.tags) body.tags = options.tags;
  if (options.recordTags) body.record_tags = options.recordTags;
  if (options.location) body.location = options.location;
  return dataOrThrow(await client.write(`${mountOf(options)}/encapsulate`, body), 'encapsulate');
}

/** `capsule` is the base64 string `encapsulate` returned, or its bytes. */
export async function loadCapsule(client: CapsuleClient, capsule: string | Uint8Array, options: LoadOptions = {}): Promise<LoadResult> {
  const body: Record<string, unknown> = {
    capsule: typeof capsule === 'string' ? capsule : Buffer.from(capsule).toString('base64'),
    read_context: options.readContext ?? 'default',
    parameters: options.parameters ?? {},
  };
  if (options.location) body.location = options.location;
  return dataOrThrow(await client.write(`${mountOf(options)}/load`, body), 'load');
}

function logQuery(o: AccessLogQuery): Record<string, string | number | undefined> {
  const date = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : d);
  return {
    start_date: date(o.startDate),
    end_date: date(o.endDate),
    start_from_id: o.startFromId,
    num_results: o.numResults,
    order: o.order,
    session: o.session,
    capsule: o.capsule,
    operation: o.operation,
  };
}

function withoutUndefined(q: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
}

export async function queryAccessLog(client: CapsuleClient, query: AccessLogQuery = {}): Promise<LogPage> {
  return dataOrThrow(await client.read(`${mountOf(query)}/log/access`, withoutUndefined(logQuery(query))), 'access log');
}

export async function queryControlLog(client: CapsuleClient, query: LogQueryOptions = {}): Promise<LogPage> {
  return dataOrThrow(await client.read(`${mountOf(query)}/log/control`, withoutUndefined(logQuery(query))), 'control log');
}

/**
 * Every matching record, following `has_more` page by page. Each page must end past the one
 * before it in the query's order (ids rise with time): a server that answers the same page again,
 * or steps back, would otherwise keep the loop going for ever.
 */
export async function* iterateLog(
  client: CapsuleClient,
  log: 'access' | 'control',
  query: AccessLogQuery = {},
): AsyncGenerator<Record<string, unknown>> {
  const rising = query.order === 'asc';
  let from = query.startFromId;
  for (;;) {
    const page = log === 'access' ? await queryAccessLog(client, { ...query, startFromId: from }) : await queryControlLog(client, { ...query, startFromId: from });
    yield* page.results;
    if (!page.has_more || page.results.length === 0) return;
    const last = String(page.results[page.results.length - 1].id);
    if (from !== undefined && !(rising ? last > from : last < from)) {
      throw new Error(`${log} log: the server's next page does not continue after the last one (its last id is not past ${from}): stopped`);
    }
    from = last;
  }
}

/** Write and read contexts, and key rotation. */
export async function putWriteContext(client: CapsuleClient, name: string, context: Record<string, unknown>, o?: MountOption): Promise<void> {
  await client.write(`${mountOf(o)}/write-context/${encodeURIComponent(name)}`, context);
}

export async function putReadContext(client: CapsuleClient, name: string, context: Record<string, unknown>, o?: MountOption): Promise<void> {
  await client.write(`${mountOf(o)}/read-context/${encodeURIComponent(name)}`, context);
}

export async function rotateDomainKey(client: CapsuleClient, o?: MountOption): Promise<Record<string, unknown>> {
  return dataOrThrow(await client.write(`${mountOf(o)}/keys/rotate`, {}), 'key rotation');
}
