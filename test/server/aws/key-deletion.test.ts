/**
 * ScheduleKeyDeletion's date is when the key's material is destroyed: the server deletes keys past
 * their date at unseal and every hour, not only when a later call happens to name the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { ACCOUNT, REGION, kmsServiceEvent, startKmsServer } from './harness.js';

test('a key past its deletion date is gone from storage after the next unseal, though no call named it', async () => {
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs, nowNs: () => BigInt(Date.now() + offsetMs) * 1_000_000n };
  const server = await startKmsServer({ clock });
  const kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, maxAttempts: 1 });
  try {
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const kept = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    const barrier = server.core.seal.barrier;
    assert.ok(await barrier.get(`sys/kms/keys/${doomed}`));

    offsetMs = 8 * 86_400_000;
    const headers = { 'x-vault-token': server.rootToken, 'content-type': 'application/json' };
    assert.equal((await fetch(`${server.endpoint}/v1/sys/seal`, { method: 'PUT', headers })).status, 204);
    const unsealed = await fetch(`${server.endpoint}/v1/sys/unseal`, { method: 'PUT', headers, body: JSON.stringify({ key: server.unsealKey }) });
    assert.equal(((await unsealed.json()) as { sealed: boolean }).sealed, false);

    for (let i = 0; i < 100 && (await barrier.get(`sys/kms/keys/${doomed}`)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await barrier.get(`sys/kms/keys/${doomed}`), undefined, 'the key past its date is still stored');
    // Its deletion is on the record, though no call asked for it.
    const trail = new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, maxAttempts: 1, systemClockOffset: offsetMs });
    // The sweep records the event once the key is removed: it may arrive a moment after. Each
    // answer's Date header is the host's real time, from which the SDK resets its clock offset
    // (more than 5 minutes of skew), so the offset is set again before every call.
    const deleteKeyEvents = async () => {
      trail.config.systemClockOffset = offsetMs;
      return (await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteKey' }] }))).Events ?? [];
    };
    let Events = await deleteKeyEvents();
    for (let i = 0; i < 100 && Events.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      Events = await deleteKeyEvents();
    }
    trail.destroy();
    assert.deepEqual(Events.map((e) => [JSON.parse(e.CloudTrailEvent!).eventType, e.Resources?.map((r) => r.ResourceName)]),
      [['AwsServiceEvent', [`arn:aws:kms:${REGION}:${ACCOUNT}:key/${doomed}`]]]);
    assert.ok(await barrier.get(`sys/kms/keys/${kept}`));
  } finally {
    kms.destroy();
    await server.stop();
  }
});

test('deleting a key at the end of its waiting period is recorded as CloudTrail records it: a DeleteKey service event', async () => {
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs, nowNs: () => BigInt(Date.now() + offsetMs) * 1_000_000n };
  const server = await startKmsServer({ clock });
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  const kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
  const trail = new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId!, PendingWindowInDays: 7 }));
    offsetMs = 8 * 86_400_000;
    // Clients whose clocks agree with the server's.
    kms.config.systemClockOffset = offsetMs;
    trail.config.systemClockOffset = offsetMs;
    // The first call that names the key finds it past its date and deletes it.
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId! })), { name: 'NotFoundException' });
    const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteKey' }] }));
    assert.equal(Events?.length, 1);
    const { eventID: _id, eventTime: _time, ...record } = JSON.parse(Events![0].CloudTrailEvent!) as Record<string, unknown>;
    assert.deepEqual(record, kmsServiceEvent('DeleteKey', KeyMetadata!.Arn!));
    assert.equal(Events![0].ReadOnly, 'false');
  } finally {
    kms.destroy();
    trail.destroy();
    await server.stop();
  }
});
