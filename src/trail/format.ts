/**
 * The one CloudTrail record formatter: the internal TrailEventInput → the CloudTrail JSON record,
 * with AWS's field names in AWS's order (eventVersion 1.11). Nothing else in Sealtrail knows these
 * field names. Optional fields (errorCode, errorMessage, additionalEventData) are omitted when
 * absent, as CloudTrail omits them; tlsDetails closes the record when the call came over TLS.
 */
import { rfc3339 } from '../lib/time.js';
import type { TrailEventInput, TrailResource, TrailUserIdentity } from './model.js';

export const CLOUDTRAIL_EVENT_VERSION = '1.11';

/** CloudTrail's userIdentity has exactly the internal model's fields and names. */
export type CloudTrailUserIdentity = TrailUserIdentity;

export interface CloudTrailResource {
  accountId: string;
  type: string;
  ARN: string;
}

/** A CloudTrail record as delivered in trail files and in LookupEvents' `CloudTrailEvent`. */
export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: CloudTrailUserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources: CloudTrailResource[];
  eventType: 'AwsApiCall';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management' | 'Data';
  tlsDetails?: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
}

const resource = (r: TrailResource): CloudTrailResource => ({ accountId: r.accountId, type: r.type, ARN: r.arn });

/**
 * Builds the record. The input is not modified; nested objects are copied by JSON round trip
 * later (the record is serialised once), so callers must not mutate them afterwards either.
 *
 *   formatCloudTrailRecord(event).eventTime === '2024-11-14T23:46:27Z'
 */
export function formatCloudTrailRecord(event: TrailEventInput): CloudTrailRecord {
  const u = event.userIdentity;
  const record: CloudTrailRecord = {
    eventVersion: CLOUDTRAIL_EVENT_VERSION,
    userIdentity: { type: u.type, principalId: u.principalId, arn: u.arn, accountId: u.accountId, accessKeyId: u.accessKeyId, userName: u.userName },
    eventTime: rfc3339(event.eventTime),
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: event.awsRegion,
    sourceIPAddress: event.sourceIpAddress,
    userAgent: event.userAgent,
    requestParameters: null,
    responseElements: null,
    requestID: event.requestId,
    eventID: event.eventId,
    readOnly: event.readOnly,
    resources: event.resources.map(resource),
    eventType: 'AwsApiCall',
    managementEvent: event.managementEvent,
    recipientAccountId: event.recipientAccountId,
    eventCategory: event.eventCategory,
  };
  if (event.tlsDetails) {
    const t = event.tlsDetails;
    record.tlsDetails = { tlsVersion: t.tlsVersion, cipherSuite: t.cipherSuite, clientProvidedHostHeader: t.clientProvidedHostHeader };
  }
  // Object key order is insertion order: rebuild so the optional fields sit where AWS puts them.
  return orderRecord(record, event);
}

function orderRecord(base: CloudTrailRecord, event: TrailEventInput): CloudTrailRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key === 'requestParameters') {
      if (event.errorCode !== undefined) out.errorCode = event.errorCode;
      if (event.errorMessage !== undefined) out.errorMessage = event.errorMessage;
      out.requestParameters = event.requestParameters ?? null;
      continue;
    }
    if (key === 'responseElements') {
      out.responseElements = event.responseElements ?? null;
      if (event.additionalEventData !== undefined) out.additionalEventData = event.additionalEventData;
      continue;
    }
    out[key] = value;
  }
  return out as unknown as CloudTrailRecord;
}
