/**
 * LookupEvents request validation, with AWS's exceptions (the error code is the AWS `__type`):
 *   LookupAttributes   at most one {AttributeKey (one of eight), AttributeValue (1–2000 chars)}
 *                      → InvalidLookupAttributesException
 *   StartTime/EndTime  epoch seconds (may be fractional), Start ≤ End → InvalidTimeRangeException
 *   MaxResults         1–50, default 50                                → InvalidMaxResultsException
 *   EventCategory      absent, or "insight" (only Insights events)  → InvalidEventCategoryException
 *   NextToken          bound to the same attribute and time range     → InvalidNextTokenException
 */
import { SealtrailError, type AwsErrorType } from '../../errors/index.js';
import { LOOKUP_ATTRIBUTE_KEYS, type EventQuery, type LookupAttributeKey } from '../store/types.js';
import { decodeNextToken, queryHash, type PagePosition } from './next-token.js';

export const MAX_LOOKUP_RESULTS = 50;

const fail = (code: AwsErrorType, message: string) => new SealtrailError('invalid', code, message);

export interface LookupPlan {
  query: EventQuery;
  /** The hash the next page's token must carry. */
  hash: string;
  /** Where a NextToken said to continue; absent on a first page. */
  position?: PagePosition;
  /** EventCategory=insight: only Insights events, which this server never records. */
  insightsOnly: boolean;
}

function parseAttribute(raw: unknown): EventQuery['attribute'] {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw fail('InvalidLookupAttributesException', 'LookupAttributes must be a list.');
  if (raw.length === 0) return undefined;
  if (raw.length > 1) throw fail('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
  const a = raw[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | null;
  const key = a?.AttributeKey;
  if (typeof key !== 'string' || !(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
    throw fail('InvalidLookupAttributesException', `Invalid AttributeKey; valid keys are ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}.`);
  }
  const value = a?.AttributeValue;
  if (typeof value !== 'string' || value.length < 1 || value.length > 2000) {
    throw fail('InvalidLookupAttributesException', 'AttributeValue must be a string of 1 to 2000 characters.');
  }
  if (key === 'ReadOnly' && value !== 'true' && value !== 'false') {
    throw fail('InvalidLookupAttributesException', 'The ReadOnly attribute value must be "true" or "false".');
  }
  return { key: key as LookupAttributeKey, value };
}

function parseTime(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  // The AWS JSON protocol sends timestamps as epoch seconds; SDKs may send a fraction.
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) throw fail('InvalidTimeRangeException', `${name} must be a timestamp in epoch seconds.`);
  return raw;
}

/**
 * An event is shown at its whole second (EventTime, eventTime): a whole-second EndTime X takes
 * every event shown at X ("before or at the specified time"), whatever its milliseconds, so
 * windows polled back to back ([a, b], then [b + 1, c]) miss none. A time with a fraction is
 * taken to the millisecond.
 */
const msOf = (seconds: number) => Math.round(seconds * 1000);
const endMsOf = (seconds: number) => (Number.isInteger(seconds) ? seconds * 1000 + 999 : msOf(seconds));

function parseMaxResults(raw: unknown): number {
  if (raw === undefined || raw === null) return MAX_LOOKUP_RESULTS;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_LOOKUP_RESULTS) {
    throw fail('InvalidMaxResultsException', `MaxResults must be an integer from 1 to ${MAX_LOOKUP_RESULTS}.`);
  }
  return raw;
}

function parseEventCategory(raw: unknown): boolean {
  if (raw === undefined || raw === null) return false;
  if (raw !== 'insight') throw fail('InvalidEventCategoryException', 'EventCategory must be "insight".');
  return true;
}

export function planLookup(body: Record<string, unknown>): LookupPlan {
  const insightsOnly = parseEventCategory(body.EventCategory);
  const attribute = parseAttribute(body.LookupAttributes);
  const start = parseTime(body.StartTime, 'StartTime');
  const end = parseTime(body.EndTime, 'EndTime');
  if (start !== undefined && end !== undefined && start > end) {
    throw fail('InvalidTimeRangeException', 'The start time must be before the end time.');
  }
  const startMs = start === undefined ? undefined : msOf(start);
  const endMs = end === undefined ? undefined : endMsOf(end);
  const limit = parseMaxResults(body.MaxResults);
  const hash = queryHash({ attribute, startMs, endMs });
  const query: EventQuery = { limit };
  if (attribute) query.attribute = attribute;
  if (startMs !== undefined) query.startMs = startMs;
  if (endMs !== undefined) query.endMs = endMs;
  const plan: LookupPlan = { query, hash, insightsOnly };
  if (body.NextToken !== undefined && body.NextToken !== null) {
    plan.position = decodeNextToken(body.NextToken, hash);
    query.before = plan.position.after;
    query.throughSeq = plan.position.throughSeq;
  }
  return plan;
}
