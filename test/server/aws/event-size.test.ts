/**
 * A call's CloudTrail record is bounded whatever the call carried: a signed body of up to 1 MiB
 * recorded as sent (also when the call is refused, by its key policy or by the caller's Vault ACL)
 * would put megabytes into the event store, every trail file and every LookupEvents page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { MAX_ERROR_MESSAGE_CHARS, MAX_RECORDED_FIELD_BYTES } from '../../../src/trail/format.js';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer, rejectsWith } from './harness.js';

let server: KmsTestServer;
let dev: KMSClient;
let trail: CloudTrailClient;
const clients: Array<{ destroy(): void }> = [];

before(async () => {
  server = await startKmsServer();
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  dev = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
  trail = new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
  clients.push(dev, trail);
});
after(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
});

/** A KMS user with the given Vault policies (none: every call is refused by the ACL). */
async function kmsUser(name: string, policies: string[]): Promise<KMSClient> {
  const res = await fetch(`${server.endpoint}/v1/kms/users/${name}`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: JSON.stringify({ policies }),
  });
  const { data } = await res.json() as { data: { access_key_id: string; secret_access_key: string } };
  const client = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: data.access_key_id, secretAccessKey: data.secret_access_key }, maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** The newest record of `user`'s calls named `name`, as LookupEvents serves it. */
async function lastRecord(user: string, name: string): Promise<{ text: string; record: Record<string, unknown> }> {
  const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: user }] }));
  const event = Events!.find((e) => e.EventName === name);
  assert.ok(event, `no ${name} event of ${user}`);
  return { text: event.CloudTrailEvent!, record: JSON.parse(event.CloudTrailEvent!) as Record<string, unknown> };
}

const big = 'A'.repeat(900_000);

test('a refused call with a huge member leaves a bounded record: requestParameters omitted, the error message cut', async () => {
  // No Vault policy at all: refused by the ACL before any handler.
  const nobody = await kmsUser('nobody', []);
  await rejectsWith(nobody.send(new CreateKeyCommand({ Description: big })), 'AccessDeniedException');
  const refused = await lastRecord('nobody', 'CreateKey');
  assert.ok(refused.text.length < 256 * 1024, `record of ${refused.text.length} characters`);
  assert.deepEqual(refused.record.requestParameters, { omitted: true });
  assert.equal(refused.record.errorCode, 'AccessDenied');

  // A validation error that repeats the value: the message is cut in the record, not for the caller.
  await rejectsWith(dev.send(new EncryptCommand({ KeyId: big, Plaintext: Buffer.from('x') })), 'ValidationException', /A{100000}/);
  const invalid = await lastRecord('dev', 'Encrypt');
  assert.ok(invalid.text.length < 256 * 1024, `record of ${invalid.text.length} characters`);
  assert.deepEqual(invalid.record.requestParameters, { omitted: true });
  const message = invalid.record.errorMessage as string;
  assert.equal(message.length, MAX_ERROR_MESSAGE_CHARS + '...'.length);
  assert.ok(message.startsWith('1 validation error detected: ') && message.endsWith('A...'));
});

test('the largest members a valid call holds are recorded whole', async () => {
  // A key policy of close to the 32 KiB limit, and 50 tags of the longest keys and values.
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'S'.repeat(32_000), Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
  });
  const Tags = Array.from({ length: 50 }, (_, i) => ({ TagKey: `${i}`.padEnd(128, 'k'), TagValue: 'v'.repeat(256) }));
  await dev.send(new CreateKeyCommand({ Policy, Tags }));
  const { record } = await lastRecord('dev', 'CreateKey');
  const params = record.requestParameters as Record<string, unknown>;
  assert.equal(params.policy, Policy);
  assert.deepEqual(params.tags, Tags.map((t) => ({ tagKey: t.TagKey, tagValue: t.TagValue })));
  assert.ok(Buffer.byteLength(JSON.stringify(params)) <= MAX_RECORDED_FIELD_BYTES);
});
