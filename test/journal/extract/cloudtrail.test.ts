import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudTrailKeys } from '../../../src/journal/index.js';
import { formatCloudTrailRecord } from '../../../src/trail/index.js';
import { ACCOUNT, KEY_ARN, KEY_ID, kmsEvent } from '../../trail/fixtures.js';

const asJson = (event: ReturnType<typeof kmsEvent>) => JSON.parse(JSON.stringify(formatCloudTrailRecord(event)));

test('a KMS call formatted by the trail: request id, access key, user and key ARNs, address, operation', () => {
  assert.deepEqual(cloudTrailKeys(asJson(kmsEvent())), {
    requestId: 'e0eb83e3-63bc-11e4-bc2b-4198b6150d5c',
    accessKeyId: 'AKIAEXAMPLEALICE0001',
    userArn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
    keyArn: KEY_ARN,
    remoteAddress: '192.0.2.0',
    operation: 'GenerateDataKey',
    outcome: 'success',
  });
});

test('an errorCode makes a failure', () => {
  const keys = cloudTrailKeys(asJson(kmsEvent({ errorCode: 'AccessDeniedException', errorMessage: 'denied' })));
  assert.equal(keys.outcome, 'failure');
});

test('the key ARN is the first resource of type AWS::KMS::Key that names a key', () => {
  const key = (id: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}`;
  const record = asJson(kmsEvent({ resources: [] }));
  record.resources = [{ type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::1:role/r' }, { type: 'AWS::KMS::Key', ARN: key('k1') }, { type: 'AWS::KMS::Key', ARN: key('k2') }];
  assert.equal(cloudTrailKeys(record).keyArn, key('k1'));
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ resources: [] }))).keyArn, undefined);
});

test('an alias event is keyed by its key, not by the alias ARN CloudTrail lists first', () => {
  const alias = (name: string) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key' as const, arn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/${name}` });
  const key = (id: string) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key' as const, arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}` });
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ eventName: 'CreateAlias', resources: [alias('app'), key(KEY_ID)] }))).keyArn, KEY_ARN);
  // UpdateAlias: the alias, the key it named, the key it names now.
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ eventName: 'UpdateAlias', resources: [alias('app'), key(KEY_ID), key('other')] }))).keyArn, KEY_ARN);
  // A name holding ":key/" is still an alias; an event naming only an alias has no key.
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ eventName: 'DeleteAlias', resources: [alias('x:key/y')] }))).keyArn, undefined);
  // ReEncrypt: the source key, then the destination.
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ eventName: 'ReEncrypt', resources: [key(KEY_ID), key('destination')] }))).keyArn, KEY_ARN);
});

test('a correlation id and entity id carried in additionalEventData are keys; a hashed one is not', () => {
  const record = asJson(kmsEvent({ additionalEventData: { correlationId: 'c-1', entityId: 'e-1' } }));
  assert.equal(cloudTrailKeys(record).correlationId, 'c-1');
  assert.equal(cloudTrailKeys(record).entityId, 'e-1');
  assert.equal(cloudTrailKeys(asJson(kmsEvent({ additionalEventData: { correlation_id: 'hmac-sha256:ab' } }))).correlationId, undefined);
});

test('an unauthenticated call (no access key) has no access key id', () => {
  const event = kmsEvent();
  const keys = cloudTrailKeys(asJson({ ...event, userIdentity: { ...event.userIdentity, type: 'Unknown', accessKeyId: '', arn: '' } }));
  assert.equal(keys.accessKeyId, undefined);
  assert.equal(keys.userArn, undefined);
});
