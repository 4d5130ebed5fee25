/**
 * Acceptance (KMS + CloudTrail issue) through the real dev server and the official AWS SDK v3
 * CloudTrail client: LookupEvents finds each KMS call with the right eventName, readOnly,
 * resources and userIdentity; a trail declared in the config delivers files and signed digests
 * that `sealtrail trail validate-logs` accepts, and reports INVALID (exit 1) after a changed
 * byte, a deleted log file or an edited digest. No plaintext or data key is in any trail file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, KMSClient, ReEncryptCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

let server: TestServer;
let kms: KMSClient;
let trail: CloudTrailClient;
let trailDir: string;
const plaintext = 'trail-plaintext-canary-55e1';
/** Secret material produced during the test: none of it may reach a trail file. */
const secrets: string[] = [];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/** The server's data dir, which also holds its config file; removed after the tests. */
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-ct-'));
  trailDir = join(dir, 'trail-out');
  const configPath = join(dir, 'trail.hcl');
  writeFileSync(configPath, `trail "main" {\n  directory = "${trailDir}"\n  bucket = "audit-bucket"\n  prefix = "sealtrail"\n}\n`);
  server = await startDevServer({ configPath, devDataDir: dir });
  const credentials = server.awsCredentials;
  kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials });
  trail = new CloudTrailClient({ endpoint: server.address, region: 'us-east-1', credentials });
});
after(async () => {
  kms?.destroy();
  trail?.destroy();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('LookupEvents finds every KMS call with its name, readOnly, resources and user', async () => {
  const created = await kms.send(new CreateKeyCommand({ Description: 'trail test' }));
  const keyId = created.KeyMetadata!.KeyId!;
  const keyArn = created.KeyMetadata!.Arn!;
  const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(plaintext), EncryptionContext: { app: 'ct' } }));
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'ct' } }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), plaintext);
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/trail-test', TargetKeyId: keyId }));
  const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/trail-test', KeySpec: 'AES_256' }));
  await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }));
  secrets.push(Buffer.from(enc.CiphertextBlob!).toString('base64'), Buffer.from(dk.Plaintext!).toString('base64'), Buffer.from(dk.CiphertextBlob!).toString('base64'));
  await kms.send(new DisableKeyCommand({ KeyId: keyId }));
  await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'ct' } })), (err: Error) => err.name === 'DisabledException');

  const decrypts = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] }));
  assert.equal(decrypts.Events?.length, 2);
  assert.equal(JSON.parse(decrypts.Events![0].CloudTrailEvent!).errorCode, 'DisabledException', 'newest first: the refused Decrypt');
  assert.equal(JSON.parse(decrypts.Events![1].CloudTrailEvent!).errorCode, undefined);

  for (const [name, readOnly] of [['CreateKey', 'false'], ['Encrypt', 'true'], ['CreateAlias', 'false'], ['GenerateDataKey', 'true'], ['DisableKey', 'false']] as const) {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }));
    assert.equal(out.Events?.length, 1, name);
    const ev = out.Events![0];
    assert.equal(ev.EventName, name);
    assert.equal(ev.ReadOnly, readOnly);
    assert.equal(ev.EventSource, 'kms.amazonaws.com');
    assert.equal(ev.Username, 'dev');
    assert.ok(ev.Resources?.some((r) => r.ResourceName === keyArn && r.ResourceType === 'AWS::KMS::Key'), `${name} names the key`);
    const record = JSON.parse(ev.CloudTrailEvent!);
    assert.equal(record.eventVersion, '1.11');
    assert.equal(record.userIdentity.type, 'IAMUser');
    assert.equal(record.userIdentity.userName, 'dev');
    assert.equal(record.userIdentity.arn, 'arn:aws:iam::111122223333:user/dev');
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.recipientAccountId, '111122223333');
    if (readOnly === 'true') assert.equal(record.responseElements, null);
  }
  const random = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateRandom' }] }));
  assert.deepEqual(JSON.parse(random.Events![0].CloudTrailEvent!).resources, []);

  // Newest first, paged with NextToken; a token is bound to its query.
  const page1 = await trail.send(new LookupEventsCommand({ MaxResults: 2, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }));
  assert.equal(page1.Events?.length, 2);
  assert.ok(page1.NextToken);
  assert.ok(page1.Events![0].EventTime! >= page1.Events![1].EventTime!);
  const page2 = await trail.send(new LookupEventsCommand({ MaxResults: 2, NextToken: page1.NextToken, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }));
  assert.ok(page2.Events!.every((e) => !page1.Events!.some((p) => p.EventId === e.EventId)));
  await assert.rejects(
    trail.send(new LookupEventsCommand({ MaxResults: 2, NextToken: page1.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] })),
    (err: Error) => err.name === 'InvalidNextTokenException',
  );
  await assert.rejects(trail.send(new LookupEventsCommand({ MaxResults: 51 })), (err: Error) => err.name === 'InvalidMaxResultsException');
});

test('the journal finds alias events and ReEncrypt by key ARN: the alias\'s key, ReEncrypt\'s source', async () => {
  const first = (await kms.send(new CreateKeyCommand({ Description: 'alias journal test' }))).KeyMetadata!;
  const second = (await kms.send(new CreateKeyCommand({ Description: 'alias journal test, second' }))).KeyMetadata!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/journal-keyed', TargetKeyId: first.KeyId! }));
  await kms.send(new UpdateAliasCommand({ AliasName: 'alias/journal-keyed', TargetKeyId: second.KeyId! }));
  await kms.send(new DeleteAliasCommand({ AliasName: 'alias/journal-keyed' }));
  const enc = await kms.send(new EncryptCommand({ KeyId: first.KeyId!, Plaintext: Buffer.from('re-encrypted') }));
  await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: second.KeyId! }));

  const operations = async (keyArn: string) => {
    const r = await call(server.address, 'GET', `sys/journal/records?kind=cloudtrail&order=asc&key_arn=${encodeURIComponent(keyArn)}`, { token: server.rootToken });
    assert.equal(r.status, 200, r.text);
    return r.json.data.records.map((rec: { operation: string }) => rec.operation);
  };
  assert.deepEqual(await operations(first.Arn!), ['CreateKey', 'CreateAlias', 'UpdateAlias', 'Encrypt', 'ReEncrypt']);
  assert.deepEqual(await operations(second.Arn!), ['CreateKey', 'DeleteAlias']);
  assert.deepEqual(await operations(`arn:aws:kms:us-east-1:111122223333:alias/journal-keyed`), []);
});

test('a wrong secret key is refused with the AWS signature error and leaves no event, as in AWS', async () => {
  const before = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateRandom' }] }));
  const bad = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: kms.config.credentials ? (await kms.config.credentials()).accessKeyId : '', secretAccessKey: 'x'.repeat(40) } });
  await assert.rejects(bad.send(new GenerateRandomCommand({ NumberOfBytes: 8 })), (err: Error) => err.name === 'InvalidSignatureException');
  bad.destroy();
  const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateRandom' }] }));
  assert.deepEqual(out.Events!.map((e) => e.EventId), before.Events!.map((e) => e.EventId));
});

test('trail files and digests validate; tampering is reported INVALID with exit code 1', async () => {
  const deliver = await call(server.address, 'POST', 'sys/trails/main/deliver', { token: server.rootToken });
  assert.equal(deliver.status, 200);
  const env = { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken };
  const start = new Date(Date.now() - 3600_000).toISOString();
  const validate = () => runIn(['trail', 'validate-logs', '--dir', trailDir, '--start-time', start, '--verbose'], { env });

  const ok = await validate();
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /Digest file\s+s3:\/\/audit-bucket\/sealtrail\/AWSLogs\/111122223333\/CloudTrail-Digest\/us-east-1\/.*\tvalid/);
  assert.match(ok.stdout, /Log file\s+s3:\/\/audit-bucket\/sealtrail\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/\d{4}\/\d\d\/\d\d\/111122223333_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz\tvalid/);

  const files = filesUnder(trailDir);
  const logs = files.filter((f) => f.includes('/CloudTrail/') && f.endsWith('.json.gz'));
  const digests = files.filter((f) => f.includes('/CloudTrail-Digest/') && f.endsWith('.json.gz'));
  assert.ok(logs.length >= 1 && digests.length >= 1);
  assert.ok(files.some((f) => f.endsWith('.json.gz.metadata.json')), 'signature beside each digest');
  // No plaintext or ciphertext in any delivered record.
  for (const f of logs) {
    const text = gunzipSync(readFileSync(f)).toString();
    assert.ok(JSON.parse(text).Records.length > 0);
    assert.ok(!text.includes(plaintext) && !text.includes(Buffer.from(plaintext).toString('base64')));
    for (const secret of secrets) assert.ok(!text.includes(secret), 'no data key or ciphertext in a trail file');
  }

  // One changed byte in a log file.
  const original = readFileSync(logs[0]);
  const changed = gunzipSync(original);
  changed[changed.length - 3] ^= 1;
  writeFileSync(logs[0], gzipSync(changed));
  const tampered = await validate();
  assert.equal(tampered.code, 1);
  assert.match(tampered.stdout + tampered.stderr, /INVALID: hash value doesn't match/);
  writeFileSync(logs[0], original);
  assert.equal((await validate()).code, 0);

  // A deleted log file.
  unlinkSync(logs[0]);
  const missing = await validate();
  assert.equal(missing.code, 1);
  assert.match(missing.stdout + missing.stderr, /INVALID: not found/);
  writeFileSync(logs[0], original);

  // An edited digest.
  const digest = JSON.parse(gunzipSync(readFileSync(digests[0])).toString());
  digest.newestEventTime = '2000-01-01T00:00:00Z';
  writeFileSync(digests[0], gzipSync(JSON.stringify(digest)));
  const edited = await validate();
  assert.equal(edited.code, 1);
  assert.match(edited.stdout + edited.stderr, /INVALID/);
});

test('a sealed server refuses KMS and CloudTrail calls with 503 ServiceUnavailableException, and serves them again once unsealed', async () => {
  const credentials = await kms.config.credentials();
  // One attempt: the SDK retries a 503 as transient, which would only slow the test down.
  const kmsOnce = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials, maxAttempts: 1 });
  const trailOnce = new CloudTrailClient({ endpoint: server.address, region: 'us-east-1', credentials, maxAttempts: 1 });
  const unsealKey = server.lines.find((l) => l.startsWith('Unseal Key: '))!.slice('Unseal Key: '.length);
  try {
    assert.equal((await call(server.address, 'PUT', 'sys/seal', { token: server.rootToken })).status, 204);
    const sealed = (err: any) => {
      assert.equal(err.name, 'ServiceUnavailableException');
      assert.equal(err.$metadata?.httpStatusCode, 503);
      assert.equal(err.message, 'Vault is sealed');
      return true;
    };
    await assert.rejects(kmsOnce.send(new GenerateRandomCommand({ NumberOfBytes: 8 })), sealed);
    await assert.rejects(trailOnce.send(new LookupEventsCommand({ MaxResults: 1 })), sealed);
    // Bad input gets the same answer while sealed: nothing is parsed before the seal is checked.
    const raw = await fetch(server.address, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Encrypt', 'content-type': 'application/x-amz-json-1.1' }, body: '{' });
    assert.equal(raw.status, 503);
    assert.deepEqual(await raw.json(), { __type: 'ServiceUnavailableException', message: 'Vault is sealed' });
  } finally {
    assert.equal((await call(server.address, 'PUT', 'sys/unseal', { body: { key: unsealKey } })).json.sealed, false);
  }
  const random = await kmsOnce.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
  assert.equal(random.Plaintext!.length, 8);
  kmsOnce.destroy();
  trailOnce.destroy();
});
