/**
 * The CloudTrail event of one AWS API call, whichever door it came through (`POST /` signed with
 * SigV4, or `/v1/<mount>/aws/<Op>` with a Vault token): the mount's `recordOutcome`, which the
 * lifecycle calls once per routed call after its audit entries. Only calls with a valid token to
 * an operation the mount declares become events, as in AWS, where unauthenticated calls and
 * unknown operations leave no event. requestParameters come only through the operation's declared
 * members; the event's requestID is the lifecycle's request id, so it joins its audit entries.
 */
import type { OutcomeFacts, RequestOutcome, TokenEntry } from '../core/index.js';
import { awsErrorOf } from '../errors/index.js';
import { recordedParameters, type Members } from '../lib/aws-members.js';
import type { Clock } from '../lib/clock.js';
import { uuidV7 } from '../lib/ids.js';
import { cloudTrailDate } from '../lib/time.js';
import type { TrailEventInput, TrailRecorder, TrailTlsDetails, TrailUserIdentity } from './model.js';
import { AWS_INTERNAL, OMITTED } from './format.js';

/** What an operation declares for its event. */
export interface AwsOperationFacts {
  readOnly: boolean;
  members: Members;
  /**
   * The values the service applies to members the caller left out, which CloudTrail shows as if
   * sent (Decrypt's EncryptionAlgorithm, CreateKey's KeySpec...), by wire name. A member the
   * caller sent keeps its own value.
   */
  recordedDefaults?: (body: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  /** Timestamp members (epoch seconds on the wire), recorded as CloudTrail records dates: "Oct 26, 2025, 11:50:52 PM". */
  dateMembers?: readonly string[];
  /** responseElements of a successful call, from its response and the key ARNs it touched; absent = null. */
  responseElements?: (body: Record<string, unknown>, resources: readonly string[]) => Record<string, unknown>;
}

/**
 * The facts a handler returns for the event that its response does not carry (KMS: the key ARNs
 * it touched, also when the call then failed, the key material it used and the verified
 * recipient), read from `RequestOutcome.facts`. Anything else there is ignored.
 */
export interface ApiCallFacts {
  resources: string[];
  /** additionalEventData's material ids: `keyMaterialId`; ReEncrypt's destination and source ones. */
  keyMaterial?: Record<string, string>;
  recipient?: Record<string, string>;
}

export interface ApiCallRecorderDeps {
  recorder: TrailRecorder;
  clock: Clock;
  accountId: string;
  region: string;
  /** kms.amazonaws.com, cloudtrail.amazonaws.com */
  eventSource: string;
  /** The IAM action prefix in AccessDenied messages (`kms`, `cloudtrail`). */
  actionPrefix: string;
  /** KMSInternalException, InternalFailure */
  internalType: string;
  operation(name: string): AwsOperationFacts | undefined;
  /** The caller as CloudTrail shows it. */
  identify(token: TokenEntry): Promise<TrailUserIdentity>;
}

const OPERATION_PATH = /^aws\/([A-Za-z]{1,64})$/;
const MAX_USER_AGENT = 1024;
/** A host name is at most 253 characters; with a port and brackets, well under this. */
const MAX_HOST_HEADER = 300;

export function apiCallRecorder(deps: ApiCallRecorderDeps): (outcome: RequestOutcome) => Promise<void> {
  return async (outcome) => {
    const name = OPERATION_PATH.exec(outcome.path)?.[1];
    const op = name === undefined ? undefined : deps.operation(name);
    if (!op || name === undefined) return;
    const identity = await deps.identify(outcome.token);
    const req = outcome.request;
    const error = outcome.error && awsErrorOf(outcome.error, { principalArn: identity.arn, action: `${deps.actionPrefix}:${name}`, internalType: deps.internalType });
    const body = outcome.response?.data;
    const resources = [...new Set(resourcesOf(outcome.facts))];
    const sent = req.data;
    const now = deps.clock.now();
    const event: TrailEventInput = {
      // Time-ordered: the event store's index of event ids grows at its end (schema.ts).
      eventId: uuidV7(now),
      requestId: req.id,
      eventTime: now,
      eventSource: deps.eventSource,
      eventName: name,
      awsRegion: deps.region,
      sourceIpAddress: req.remoteAddress,
      userAgent: (req.headers['user-agent']?.[0] ?? '').slice(0, MAX_USER_AGENT),
      userIdentity: identity,
      // A call refused for its input carries none of it (server/aws/index.ts): nothing to record but that.
      requestParameters: req.inputError ? OMITTED() : withDates(recordedParameters(sent, op.members, op.recordedDefaults?.(sent)), op.dateMembers),
      responseElements: !error && body && op.responseElements ? op.responseElements(body, resources) : null,
      readOnly: op.readOnly,
      resources: resources.map((arn) => ({ accountId: deps.accountId, type: 'AWS::KMS::Key' as const, arn })),
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: deps.accountId,
      sealtrailRequestId: req.id,
    };
    const tls = tlsDetailsOf(req);
    if (tls) event.tlsDetails = tls;
    const recipient = stringsOf(outcome.facts?.recipient);
    const additional: Record<string, unknown> = { ...stringsOf(outcome.facts?.keyMaterial), ...(recipient ? { recipient } : {}) };
    if (Object.keys(additional).length > 0) event.additionalEventData = additional;
    if (error) {
      event.errorCode = recordedErrorCode(error.type);
      if (error.message) event.errorMessage = error.message;
    }
    await deps.recorder.record(event);
  };
}

/**
 * The errorCode CloudTrail records for an error: an authorization refusal is `AccessDenied` in
 * AWS's records whatever the service answered (KMS answers AccessDeniedException), so detections
 * written for AWS's records match these; every other error keeps the name the caller got.
 */
function recordedErrorCode(type: string): string {
  return type === 'AccessDeniedException' ? 'AccessDenied' : type;
}

/** The recorded parameters with each date member that is a number written as CloudTrail writes dates. */
function withDates(params: Record<string, unknown> | null, dateMembers: readonly string[] | undefined): Record<string, unknown> | null {
  if (!params || !dateMembers) return params;
  for (const name of dateMembers) {
    const key = name[0].toLowerCase() + name.slice(1);
    const value = params[key];
    if (typeof value === 'number' && Number.isFinite(value)) params[key] = cloudTrailDate(value);
  }
  return params;
}

/** CloudTrail's tlsDetails, for a call that came over TLS; a call over plain HTTP has none. */
function tlsDetailsOf(req: RequestOutcome['request']): TrailTlsDetails | undefined {
  if (!req.tls) return undefined;
  const host = req.headers.host?.[0] ?? '';
  return { tlsVersion: req.tls.version, cipherSuite: req.tls.cipherSuite, clientProvidedHostHeader: host.slice(0, MAX_HOST_HEADER) };
}

function resourcesOf(facts: OutcomeFacts | undefined): string[] {
  const resources = facts?.resources;
  return Array.isArray(resources) ? resources.filter((arn): arn is string => typeof arn === 'string') : [];
}

/** The string members of a fact that is an object; undefined otherwise. */
function stringsOf(fact: unknown): Record<string, string> | undefined {
  if (fact === null || typeof fact !== 'object' || Array.isArray(fact)) return undefined;
  return Object.fromEntries(Object.entries(fact).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * An event the service causes itself, no caller's request (AWS's AwsServiceEvent: DeleteKey when a
 * key's waiting period ends): only the account as its identity, "AWS Internal" as its address and
 * agent, the resource it changed, and its ARN as `responseElements.keyId` (as AWS's records since
 * December 2022 show it); `details` are its serviceEventDetails (RotateKey's rotation type and
 * material ids).
 */
export function serviceEvent(deps: Pick<ApiCallRecorderDeps, 'clock' | 'accountId' | 'region' | 'eventSource'>, eventName: string, resourceArn: string, details?: Record<string, string>): TrailEventInput {
  const now = deps.clock.now();
  const event: TrailEventInput = {
    eventId: uuidV7(now),
    requestId: '',
    eventTime: now,
    eventSource: deps.eventSource,
    eventName,
    awsRegion: deps.region,
    sourceIpAddress: AWS_INTERNAL,
    userAgent: AWS_INTERNAL,
    userIdentity: { type: '', principalId: '', arn: '', accountId: deps.accountId, accessKeyId: '', userName: '' },
    eventType: 'AwsServiceEvent',
    requestParameters: null,
    responseElements: { keyId: resourceArn },
    readOnly: false,
    resources: [{ accountId: deps.accountId, type: 'AWS::KMS::Key', arn: resourceArn }],
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: deps.accountId,
  };
  if (details) event.serviceEventDetails = details;
  return event;
}
