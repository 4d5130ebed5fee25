/**
 * Each rotation of a key's material is on the record as CloudTrail records it: a RotateKey service
 * event (ct-rotatekey), whether the period of automatic rotation ran out or a caller asked with
 * RotateKeyOnDemand (whose own call is an event of its own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, KMSClient, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { REGION, kmsServiceEvent, startKmsServer } from './harness.js';

const DAY_MS = 86_400_000;

async function rotateKeyEvents(trail: CloudTrailClient): Promise<Record<string, unknown>[]> {
  const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RotateKey' }] }));
  return (Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>);
}

test('rotations are RotateKey service events: automatic once the period has passed, and on demand', async () => {
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs, nowNs: () => BigInt(Date.now() + offsetMs) * 1_000_000n };
  const server = await startKmsServer({ clock });
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  const before = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
  // Clients whose clocks agree with the server's once its clock has moved on (the SDK resets its
  // offset from each answer's Date header, which is the real time: set again before each call).
  const later = { endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 };
  const kms = new KMSClient(later);
  const trail = new CloudTrailClient(later);
  kms.middlewareStack.add((next) => (args) => { kms.config.systemClockOffset = offsetMs; return next(args); }, { step: 'initialize' });
  trail.middlewareStack.add((next) => (args) => { trail.config.systemClockOffset = offsetMs; return next(args); }, { step: 'initialize' });
  let keyId = '';
  const currentMaterial = async () => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.CurrentKeyMaterialId;
  try {
    const { KeyMetadata } = await before.send(new CreateKeyCommand({}));
    keyId = KeyMetadata!.KeyId!;
    const first = KeyMetadata!.CurrentKeyMaterialId;
    await before.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    offsetMs = 91 * DAY_MS;
    // The next use finds the period over and rotates: two at once rotate once.
    await Promise.all([1, 2].map(() => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))));
    const second = await currentMaterial();
    assert.notEqual(second, first);
    const { KeyId: onDemandKeyId } = await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    assert.equal(onDemandKeyId, KeyMetadata!.Arn);
    const third = await currentMaterial();

    const events = await rotateKeyEvents(trail);
    // Newest first.
    assert.deepEqual(events.map((e) => (e.serviceEventDetails as Record<string, unknown>).rotationType), ['ON_DEMAND', 'AUTOMATIC']);
    const { eventID, eventTime, ...automatic } = events[1];
    assert.match(String(eventID), /^[0-9a-f-]{36}$/);
    assert.equal(Date.parse(String(eventTime)) >= Date.now() + 90 * DAY_MS, true);
    assert.deepEqual(automatic, kmsServiceEvent('RotateKey', KeyMetadata!.Arn!,
      { rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: first, currentKeyMaterialId: second, keyId }));
    assert.deepEqual(events[0].serviceEventDetails, { rotationType: 'ON_DEMAND', keyOrigin: 'AWS_KMS', previousKeyMaterialId: second, currentKeyMaterialId: third, keyId });
    assert.equal(events[0].eventType, 'AwsServiceEvent');
  } finally {
    before.destroy();
    kms.destroy();
    trail.destroy();
    await server.stop();
  }
});
