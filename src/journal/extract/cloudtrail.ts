/**
 * Keys of a CloudTrail event record (the JSON of one element of a trail file's `Records`, or of
 * LookupEvents' `CloudTrailEvent`). `requestID` is, for Sealtrail's own events, the Vault-side
 * request id too, so a KMS call joins its audit entries.
 */
import type { JournalKeys } from '../types.js';
import { definedKeys, firstString, objectOf, plainId, stringOf, type JsonObject } from './values.js';

const KMS_KEY = 'AWS::KMS::Key';

/**
 * Whether an ARN names a key (`arn:<partition>:kms:<region>:<account>:key/<id>`). CloudTrail lists
 * an alias's ARN (`...:alias/<name>`) under the same resource type, before the key it names.
 */
function isKeyArn(arn: string): boolean {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts.slice(5).join(':').startsWith('key/');
}

/**
 * The first key among the event's resources: ReEncrypt's source key, the key an alias event's
 * alias named (UpdateAlias: before the update). An alias ARN is never the key, so an alias event
 * is found by the key it touched, as every other event of that key is.
 */
function keyArnOf(resources: unknown): string | undefined {
  if (!Array.isArray(resources)) return undefined;
  for (const r of resources) {
    const resource = objectOf(r);
    if (stringOf(resource, 'type') === KMS_KEY) {
      const arn = stringOf(resource, 'ARN');
      if (arn !== undefined && isKeyArn(arn)) return arn;
    }
  }
  return undefined;
}

export function cloudTrailKeys(record: JsonObject): JournalKeys {
  const identity = objectOf(record.userIdentity);
  const extra = objectOf(record.additionalEventData);
  return definedKeys<JournalKeys>({
    requestId: stringOf(record, 'requestID'),
    accessKeyId: stringOf(identity, 'accessKeyId'),
    userArn: stringOf(identity, 'arn'),
    keyArn: keyArnOf(record.resources),
    entityId: firstString(extra, 'entityId', 'entity_id'),
    correlationId: plainId(firstString(extra, 'correlationId', 'correlation_id')),
    remoteAddress: stringOf(record, 'sourceIPAddress'),
    operation: stringOf(record, 'eventName'),
    outcome: stringOf(record, 'errorCode') !== undefined ? 'failure' : 'success',
  });
}
