/**
 * The one CloudTrail record formatter: the internal TrailEventInput → the CloudTrail JSON record,
 * with AWS's field names in AWS's order (eventVersion 1.11). Nothing else in Sealtrail knows these
 * field names. Optional fields (errorCode, errorMessage, additionalEventData, serviceEventDetails) are omitted when
 * absent, as CloudTrail omits them; tlsDetails closes the record when the call came over TLS.
 *
 * The fields a caller shapes are bounded, so a record stays well under CloudTrail's 256 KB event
 * size whatever the call carried: a signed body may hold 1 MiB, its declared members are recorded
 * as sent (also when the call is refused, by the ACL or a key policy) and some error messages
 * repeat a value. As CloudTrail does with a field over its size, requestParameters or
 * responseElements beyond MAX_RECORDED_FIELD_BYTES become `{"omitted": true}`, and an error
 * message is cut at MAX_ERROR_MESSAGE_CHARS with "..." (the caller's answer keeps it whole). A
 * call refused before its body was read (too many values for a caller the ACL refuses) has
 * requestParameters `{"omitted": true}` too.
 */
import { rfc3339 } from '../lib/time.js';
import type { TrailEventInput, TrailResource, TrailServiceIdentity, TrailUserIdentity } from './model.js';

export const CLOUDTRAIL_EVENT_VERSION = '1.11';

/** Above any valid call's members (a 32 KiB key policy, 50 tags), below a megabyte's body. */
export const MAX_RECORDED_FIELD_BYTES = 100 * 1024;
/** Room for AWS's messages that name a key id or ARN of 2,048 characters. */
export const MAX_ERROR_MESSAGE_CHARS = 4096;

/** What CloudTrail shows for a field it does not record in full; also the members of a call refused before its body was read. */
export const OMITTED = () => ({ omitted: true });

function bounded(field: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!field) return null;
  return Buffer.byteLength(JSON.stringify(field)) > MAX_RECORDED_FIELD_BYTES ? OMITTED() : field;
}

const boundedMessage = (m: string) => (m.length > MAX_ERROR_MESSAGE_CHARS ? `${m.slice(0, MAX_ERROR_MESSAGE_CHARS)}...` : m);

/** CloudTrail's userIdentity: a caller's, with the internal model's fields and names, or a service event's account and invokedBy. */
export type CloudTrailUserIdentity = TrailUserIdentity | TrailServiceIdentity;

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
  /** Absent for a service event, as in AWS's. */
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources: CloudTrailResource[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: boolean;
  recipientAccountId: string;
  serviceEventDetails?: Record<string, unknown>;
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
  const record: CloudTrailRecord = {
    eventVersion: CLOUDTRAIL_EVENT_VERSION,
    userIdentity: userIdentityOf(event),
    eventTime: rfc3339(event.eventTime),
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: event.awsRegion,
    sourceIPAddress: event.sourceIpAddress,
    userAgent: event.userAgent,
    requestParameters: null,
    responseElements: null,
    // No request causes a service event: AWS's have no requestID.
    ...(event.eventType === 'AwsServiceEvent' ? {} : { requestID: event.requestId }),
    eventID: event.eventId,
    readOnly: event.readOnly,
    resources: event.resources.map(resource),
    eventType: event.eventType ?? 'AwsApiCall',
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

/** What AWS shows as the caller of the events it causes itself, and as their address and agent. */
export const AWS_INTERNAL = 'AWS Internal';

function userIdentityOf(event: TrailEventInput): CloudTrailUserIdentity {
  const u = event.userIdentity;
  if (event.eventType === 'AwsServiceEvent') return { accountId: u.accountId, invokedBy: AWS_INTERNAL };
  return { type: u.type, principalId: u.principalId, arn: u.arn, accountId: u.accountId, accessKeyId: u.accessKeyId, userName: u.userName };
}

function orderRecord(base: CloudTrailRecord, event: TrailEventInput): CloudTrailRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key === 'requestParameters') {
      if (event.errorCode !== undefined) out.errorCode = event.errorCode;
      if (event.errorMessage !== undefined) out.errorMessage = boundedMessage(event.errorMessage);
      out.requestParameters = bounded(event.requestParameters);
      continue;
    }
    if (key === 'eventCategory' && event.serviceEventDetails !== undefined) out.serviceEventDetails = event.serviceEventDetails;
    if (key === 'responseElements') {
      out.responseElements = bounded(event.responseElements);
      if (event.additionalEventData !== undefined) out.additionalEventData = event.additionalEventData;
      continue;
    }
    out[key] = value;
  }
  return out as unknown as CloudTrailRecord;
}
