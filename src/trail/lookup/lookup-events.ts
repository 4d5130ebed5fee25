/**
 * LookupEvents as AWS answers it: newest first, at most MaxResults events, a NextToken when more
 * remain, each event summarised with its full record as the `CloudTrailEvent` JSON string.
 *
 * A first page shows events up to the newest one that is not a CloudTrail read call of the last
 * SELF_READ_SETTLE_MS (the store's settledSeq); those reads join the history once something else
 * happens or they age past it, as AWS's event history shows calls minutes late. Without this,
 * every lookup would put itself on top of the next one's answer, and clients that page by
 * repeating the first request and skipping what they printed (the AWS CLI's --max-items) would
 * print an event twice. Later pages keep the first page's bound through the NextToken.
 */
import type { CloudTrailRecord } from '../format.js';
import type { TrailUserIdentity } from '../model.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import { encodeNextToken } from './next-token.js';
import { planLookup } from './request.js';

export interface LookupEventsEvent {
  EventId: string;
  EventName: string;
  ReadOnly: 'true' | 'false';
  AccessKeyId?: string;
  /** Epoch seconds. */
  EventTime: number;
  EventSource: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  CloudTrailEvent: string;
}

export interface LookupEventsResponse {
  Events: LookupEventsEvent[];
  NextToken?: string;
}

export function toLookupEvent(stored: StoredEvent): LookupEventsEvent {
  const record = JSON.parse(stored.json) as CloudTrailRecord;
  const event: LookupEventsEvent = {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: record.readOnly ? 'true' : 'false',
    EventTime: Math.floor(stored.timeMs / 1000),
    EventSource: record.eventSource,
    Resources: record.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: stored.json,
  };
  // AWS leaves these out when the caller had none (unsigned or anonymous calls).
  const identity: Partial<TrailUserIdentity> = record.userIdentity;
  if (identity.accessKeyId) event.AccessKeyId = identity.accessKeyId;
  if (identity.userName) event.Username = identity.userName;
  return orderEvent(event);
}

/** AWS's member order: EventId, EventName, ReadOnly, AccessKeyId, EventTime, EventSource, Username, Resources, CloudTrailEvent. */
function orderEvent(e: LookupEventsEvent): LookupEventsEvent {
  const out: Partial<LookupEventsEvent> = { EventId: e.EventId, EventName: e.EventName, ReadOnly: e.ReadOnly };
  if (e.AccessKeyId !== undefined) out.AccessKeyId = e.AccessKeyId;
  out.EventTime = e.EventTime;
  out.EventSource = e.EventSource;
  if (e.Username !== undefined) out.Username = e.Username;
  out.Resources = e.Resources;
  out.CloudTrailEvent = e.CloudTrailEvent;
  return out as LookupEventsEvent;
}

export const SELF_READ_SETTLE_MS = 5 * 60_000;

export async function lookupEvents(store: EventStore, body: Record<string, unknown>, nowMs: number = Date.now()): Promise<LookupEventsResponse> {
  const { query, hash, position, insightsOnly } = planLookup(body);
  if (insightsOnly) return { Events: [] };
  const throughSeq = position?.throughSeq ?? await store.settledSeq(nowMs - SELF_READ_SETTLE_MS);
  // One extra row tells whether another page exists, so a NextToken never leads to an empty page.
  const rows = await store.query({ ...query, throughSeq, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const response: LookupEventsResponse = { Events: page.map(toLookupEvent) };
  if (rows.length > query.limit) {
    const last = page[page.length - 1];
    response.NextToken = encodeNextToken({ after: { timeMs: last.timeMs, seq: last.seq }, throughSeq }, hash);
  }
  return response;
}
