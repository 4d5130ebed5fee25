/**
 * The server's journal API as the CLI reads it: pages of sys/journal/records and the timeline.
 * Both paths exist on every Sealtrail server, so an answer without them is an error, never "no
 * records": a 404 without errors (a wrong address, a proxy, another product) or a 2xx body that is
 * not a page would otherwise end a search with nothing printed and an export with an empty file,
 * both with status 0.
 */
import { SealtrailApiError, type Query, type SealtrailClient } from '../sdk/index.js';
import { RemoteAnswerError } from './failure.js';

export interface RecordView {
  seq: number;
  time: string;
  kind: string;
  request_id?: string | null;
  path?: string | null;
  operation?: string | null;
  outcome?: string | null;
  record?: unknown;
  /** With `format=raw`: the record's text as the journal keeps it. */
  text?: string;
  [key: string]: unknown;
}
export interface RecordPage { records: RecordView[]; next_cursor: string | null }
export interface TimelineGroup { request_id: string | null; records: RecordView[] }
/**
 * `next_cursor`: where the next part of a truncated timeline starts, exactly; `next_since`: its
 * time (each absent from servers before it).
 */
export interface TimelineView { groups: TimelineGroup[]; truncated: boolean; next_since?: string | null; next_cursor?: string | null }

const RECORDS_PATH = 'sys/journal/records';
const TIMELINE_PATH = 'sys/journal/timeline';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOptionalText = (v: unknown) => v === undefined || v === null || typeof v === 'string';

function isRecordView(v: unknown, raw: boolean): v is RecordView {
  return isObject(v) && Number.isSafeInteger(v.seq) && typeof v.time === 'string' && typeof v.kind === 'string'
    && isOptionalText(v.request_id) && isOptionalText(v.path) && isOptionalText(v.outcome) && (!raw || typeof v.text === 'string');
}

const where = (client: SealtrailClient, path: string) => `${client.address}/v1/${path}`;
const whichServer = '(-address, SEALTRAIL_ADDR, VAULT_ADDR)';

/** The answer's `data` and request id; an error status without errors is named with the address it came from. */
async function answerOf(client: SealtrailClient, path: string, query: Query): Promise<{ data: unknown; requestId: string | undefined }> {
  try {
    const envelope = await client.readRequired<unknown>(path, query);
    return { data: envelope?.data, requestId: typeof envelope?.request_id === 'string' ? envelope.request_id : undefined };
  } catch (err) {
    if (!(err instanceof SealtrailApiError) || err.errors.length > 0) throw err;
    throw new RemoteAnswerError(`HTTP ${err.status} with no error message from ${where(client, path)}: is that a Sealtrail server? ${whichServer}`);
  }
}

const notShaped = (client: SealtrailClient, path: string, what: string) =>
  new RemoteAnswerError(`the answer of ${where(client, path)} is not ${what}: is that a Sealtrail server? ${whichServer}`);

/**
 * One page of records; with `format=raw` in the query each must carry its text. `requestId` is
 * the read's own (its audit entries are journal records too: `journal tail` leaves them out).
 */
export async function readRecordPage(client: SealtrailClient, query: Record<string, string>): Promise<RecordPage & { requestId?: string }> {
  const { data, requestId } = await answerOf(client, RECORDS_PATH, query);
  const raw = query.format === 'raw';
  if (!isObject(data) || !Array.isArray(data.records) || !data.records.every((r) => isRecordView(r, raw))
    || !(data.next_cursor === undefined || data.next_cursor === null || typeof data.next_cursor === 'string')) {
    throw notShaped(client, RECORDS_PATH, 'a page of journal records');
  }
  return { records: data.records, next_cursor: data.next_cursor ?? null, ...(requestId ? { requestId } : {}) };
}

export async function readTimeline(client: SealtrailClient, subject: Record<string, string>): Promise<TimelineView> {
  const { data } = await answerOf(client, TIMELINE_PATH, subject);
  const isGroup = (g: unknown) => isObject(g) && isOptionalText(g.request_id) && Array.isArray(g.records) && g.records.every((r) => isRecordView(r, false));
  if (!isObject(data) || !Array.isArray(data.groups) || !data.groups.every(isGroup) || typeof data.truncated !== 'boolean' || !isOptionalText(data.next_since) || !isOptionalText(data.next_cursor)) {
    throw notShaped(client, TIMELINE_PATH, 'a journal timeline');
  }
  return data as unknown as TimelineView;
}
