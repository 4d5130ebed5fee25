/** The event store's contract: durable, encrypted CloudTrail records with plaintext indexes. */
import type { CloudTrailRecord } from '../format.js';

/** The eight LookupEvents attribute keys. */
export const LOOKUP_ATTRIBUTE_KEYS = [
  'EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId',
] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

/** A position in newest-first order: (time, seq) of the last row returned. */
export interface EventCursor {
  timeMs: number;
  seq: number;
}

export interface EventQuery {
  attribute?: { key: LookupAttributeKey; value: string };
  /** Inclusive bounds, ms since epoch. */
  startMs?: number;
  endMs?: number;
  /** Rows strictly older than this position. */
  before?: EventCursor;
  /** Only rows with seq ≤ this: the result set a first page saw, so later pages never shift. */
  throughSeq?: number;
  limit: number;
}

export interface StoredEvent {
  seq: number;
  timeMs: number;
  /** The decrypted record, as the JSON string it was stored as. */
  json: string;
}

export interface AppendInput {
  record: CloudTrailRecord;
  /** The event time in ms (the record's eventTime has only second precision). */
  timeMs: number;
  /** The record as its JSON text, when the caller has made it already (else the store makes it). */
  json?: string;
}

/** Event ids one `holding` call may ask about. */
export const MAX_HELD_IDS = 1000;

export function checkHeldIds(eventIds: readonly string[]): void {
  if (eventIds.length > MAX_HELD_IDS) throw new RangeError(`at most ${MAX_HELD_IDS} event ids a lookup, not ${eventIds.length}`);
}

/** Reads are asynchronous: on SQLite they answer at once, on PostgreSQL after a round trip. */
export interface EventStore {
  /**
   * Stores one record; resolves after the transaction holding it commits. Returns its seq. The
   * appends made in one synchronous run share one transaction, in call order: they commit or fail
   * together (the recorder relies on it to keep the store a prefix of the recorded events). An
   * event whose id the store holds already is not stored again (its seq is left unused).
   */
  append(input: AppendInput): Promise<number>;
  /** Stores many records in one transaction (bulk loads, benchmarks). */
  appendBatch(inputs: readonly AppendInput[]): Promise<void>;
  /**
   * Which of `eventIds` the store holds, in one lookup (at most MAX_HELD_IDS a call): the
   * completion from the journal asks it of a page of events at a time (waiting-events.ts).
   */
  holding(eventIds: readonly string[]): Promise<Set<string>>;
  /** Newest first. Only the returned rows are decrypted. */
  query(q: EventQuery): Promise<StoredEvent[]>;
  /** Rows with seq > afterSeq in seq order, at most `limit` (trail delivery reads these). */
  readSince(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** The highest seq stored so far (0 when empty). */
  lastSeq(): Promise<number>;
  /**
   * The seq of the newest event that is not a CloudTrail read call recorded after `sinceMs`
   * (0 when none): LookupEvents shows events up to it, so its own calls do not reshape its answer.
   */
  settledSeq(sinceMs: number): Promise<number>;
  count(): Promise<number>;
  /** Deletes events older than the retention; returns how many. */
  purgeExpired(): Promise<number>;
  /** The database's plan for a query shape (tests and the benchmark check that an index serves it). */
  explainQuery(q: EventQuery): Promise<string[]>;
  close(): Promise<void>;
}
