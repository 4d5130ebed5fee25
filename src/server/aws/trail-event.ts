/** Builds the one TrailEventInput every AWS call produces (success or failure). */
import { uuid } from '../../lib/ids.js';
import { kmsOperation } from '../../kms/index.js';
import type { TrailEventInput, TrailUserIdentity } from '../../trail/model.js';
import { requestParameters } from './request-parameters.js';
import { responseElements } from './response-elements.js';
import type { AwsTarget } from './target.js';

export interface CallIdentity {
  userName: string;
  arn: string;
  principalId: string;
  accessKeyId: string;
}

export interface EventFacts {
  requestId: string;
  sealtrailRequestId?: string;
  eventTime: number;
  accountId: string;
  region: string;
  target: AwsTarget | undefined;
  /** The operation named by X-Amz-Target even when it is not one we route. */
  operationName: string;
  sourceIpAddress: string;
  userAgent: string;
  /** undefined = the signature was not verified. */
  identity?: CallIdentity;
  /** The access key id the request claimed (for unverified calls). */
  claimedAccessKeyId?: string;
  body?: Record<string, unknown>;
  response?: Record<string, unknown>;
  error?: { type: string; message: string };
  resources: readonly string[];
  recipient?: Record<string, string>;
}

export function isReadOnly(target: AwsTarget | undefined, operation: string): boolean {
  if (target?.service === 'cloudtrail') return /^(Lookup|List|Get|Describe)/.test(operation);
  return kmsOperation(operation)?.readOnly ?? false;
}

function userIdentity(f: EventFacts): TrailUserIdentity {
  if (f.identity) return { type: 'IAMUser', accountId: f.accountId, ...f.identity };
  return { type: 'Unknown', principalId: '', arn: '', accountId: f.accountId, accessKeyId: f.claimedAccessKeyId ?? '', userName: '' };
}

export function buildTrailEvent(f: EventFacts): TrailEventInput {
  const event: TrailEventInput = {
    eventId: uuid(),
    requestId: f.requestId,
    eventTime: f.eventTime,
    eventSource: f.target?.eventSource ?? 'kms.amazonaws.com',
    eventName: f.operationName,
    awsRegion: f.region,
    sourceIpAddress: f.sourceIpAddress,
    userAgent: f.userAgent,
    userIdentity: userIdentity(f),
    requestParameters: requestParameters(f.body),
    responseElements: f.error ? null : responseElements(f.target?.service ?? 'kms', f.operationName, f.response),
    readOnly: isReadOnly(f.target, f.operationName),
    resources: [...new Set(f.resources)].map((arn) => ({ accountId: f.accountId, type: 'AWS::KMS::Key' as const, arn })),
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: f.accountId,
  };
  if (f.recipient) event.additionalEventData = { recipient: { ...f.recipient } };
  if (f.error) {
    event.errorCode = f.error.type;
    if (f.error.message) event.errorMessage = f.error.message;
  }
  if (f.sealtrailRequestId) event.sealtrailRequestId = f.sealtrailRequestId;
  return event;
}
