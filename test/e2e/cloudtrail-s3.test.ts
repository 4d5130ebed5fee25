/**
 * A trail delivered to S3 (a real s3rver): the dev server writes log files and digests at
 * CloudTrail's keys with CloudTrail's headers and the digest signature in the object metadata;
 * the real AWS CLI (`aws cloudtrail validate-logs`) and `sealtrail trail validate-logs` both
 * validate the bucket, and both report a tampered log object and a tampered digest signature.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3.js';
import { runIn } from '../cli/harness.js';

const ACCOUNT = '111122223333';
const BUCKET = 'audit-trail-bucket';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const AWS_CLI = '/usr/bin/aws';
const LOG_KEY = new RegExp(`^st/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/\\d{4}/\\d\\d/\\d\\d/${ACCOUNT}_CloudTrail_us-east-1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`);
const DIGEST_KEY = new RegExp(`^st/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/\\d{4}/\\d\\d/\\d\\d/${ACCOUNT}_CloudTrail-Digest_us-east-1_main_us-east-1_\\d{8}T\\d{6}Z\\.json\\.gz$`);

let s3: TestS3;
let server: TestServer;
let dir: string;
let kms: KMSClient;
const startTime = new Date(Date.now() - 60_000).toISOString();
/** A fixed end, so both validators print the same range. */
const endTime = new Date(Date.now() + 10 * 60_000).toISOString();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-cts3-'));
  s3 = await startS3([BUCKET]);
  const configPath = join(dir, 'trail.hcl');
  writeFileSync(configPath, `trail "main" {
  bucket = "${BUCKET}"
  prefix = "st"
  s3 {
    endpoint = "${s3.url}"
    region = "us-east-1"
    force_path_style = true
    credentials {
      access_key_id = "${S3RVER_CREDENTIALS.accessKeyId}"
      secret_access_key = "${S3RVER_CREDENTIALS.secretAccessKey}"
    }
  }
}
`);
  server = await startDevServer({ configPath, devDataDir: dir });
  kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials });
  // aws-cli signs its S3 requests with the keys it has for CloudTrail.
  s3.trustKey(server.awsCredentials.accessKeyId, server.awsCredentials.secretAccessKey);
});
after(async () => {
  kms?.destroy();
  await server?.stop();
  await s3?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kmsCalls(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
}

async function deliver(): Promise<{ status: number; log_files: string[]; digest_file: string }> {
  const res = await call(server.address, 'POST', 'sys/trails/main/deliver', { token: server.rootToken });
  return { status: res.status, ...res.json?.data };
}

async function bucketKeys(): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function objectBytes(key: string): Promise<Buffer> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

/**
 * aws-cli reads S3's endpoint from AWS_ENDPOINT_URL_S3 since 2.13 (1.29 for v1). Debian's aws-cli
 * (2.9) has no such setting, so the same variable is honoured there through a four-line CLI plugin
 * that sets the endpoint builtins of botocore's S3 endpoint rules (path-style addressing:
 * s3rver serves buckets in the path). Either way, only S3 requests go to s3rver.
 */
const AWS_PLUGIN = `import os

def awscli_initialize(cli):
    cli.register('before-endpoint-resolution.s3', _s3_endpoint)

def _s3_endpoint(builtins, **kwargs):
    if os.environ.get('AWS_ENDPOINT_URL_S3'):
        builtins['SDK::Endpoint'] = os.environ['AWS_ENDPOINT_URL_S3']
        builtins['AWS::S3::ForcePathStyle'] = True
`;

function awsConfigFile(): string {
  const pluginDir = join(dir, 'awscli-plugins');
  mkdirSync(pluginDir, { recursive: true });
  writeFileSync(join(pluginDir, 'sealtrail_s3_endpoint.py'), AWS_PLUGIN);
  const path = join(dir, 'aws-config');
  writeFileSync(path, `[default]\nregion = us-east-1\n\n[plugins]\ncli_legacy_plugin_path = ${pluginDir}\ns3_endpoint = sealtrail_s3_endpoint\n`);
  return path;
}

/** `aws cloudtrail validate-logs` with no profile of the machine: CloudTrail at the server, S3 at s3rver. */
function awsValidate(): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, AWS_CONFIG_FILE: awsConfigFile(), AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: server.awsCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.awsCredentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: s3.url,
  };
  const args = ['cloudtrail', 'validate-logs', '--trail-arn', TRAIL_ARN, '--start-time', startTime, '--end-time', endTime, '--endpoint-url', server.address, '--verbose'];
  return new Promise((resolve) => {
    execFile(AWS_CLI, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `sealtrail trail validate-logs` against the bucket, keys from the server's ListPublicKeys. */
function sealtrailValidate(extra: string[] = ['--s3-bucket', BUCKET, '--s3-prefix', 'st', '--s3-endpoint', s3.url, '--s3-force-path-style']) {
  const env = {
    SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1',
  };
  return runIn(['trail', 'validate-logs', ...extra, '--start-time', startTime, '--end-time', endTime, '--verbose'], { env });
}

let logKeys: string[] = [];
let awsValidOutput = '';
let digestKeys: string[] = [];

test('the dev server delivers log files and signed digests to the bucket at CloudTrail\'s keys', async () => {
  await kmsCalls(3);
  const first = await deliver();
  assert.equal(first.status, 200);
  assert.equal(first.log_files.length, 1);
  await kmsCalls(2);
  // Digest keys carry the end time to the second.
  await new Promise((r) => setTimeout(r, 1100));
  const second = await deliver();
  logKeys = [...first.log_files, ...second.log_files].map((u) => u.slice(`s3://${BUCKET}/`.length));
  digestKeys = [first.digest_file, second.digest_file].map((u) => u.slice(`s3://${BUCKET}/`.length));
  assert.deepEqual(await bucketKeys(), [...logKeys, ...digestKeys].sort(), 'exactly the files delivered, nothing else');
  for (const key of logKeys) {
    assert.match(key, LOG_KEY);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.ContentType, 'application/json');
    assert.equal(head.ContentEncoding, 'gzip');
    const log = JSON.parse(gunzipSync(await objectBytes(key)).toString('utf8'));
    assert.deepEqual(Object.keys(log), ['Records']);
    assert.ok(log.Records.length >= 1 && log.Records.every((r: { eventVersion?: string }) => typeof r.eventVersion === 'string'));
  }
  assert.ok(JSON.parse(gunzipSync(await objectBytes(logKeys[0])).toString()).Records.some((r: { eventName: string }) => r.eventName === 'GenerateRandom'));
  for (const key of digestKeys) {
    assert.match(key, DIGEST_KEY);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.ContentEncoding, 'gzip');
    assert.match(head.Metadata?.signature ?? '', /^[0-9a-f]{512}$/);
    assert.equal(head.Metadata?.['signature-algorithm'], 'SHA256withRSA');
  }
  const digest = JSON.parse(gunzipSync(await objectBytes(digestKeys[1])).toString('utf8'));
  assert.equal(digest.digestS3Bucket, BUCKET);
  assert.equal(digest.digestS3Object, digestKeys[1]);
  assert.equal(digest.previousDigestS3Bucket, BUCKET);
  assert.equal(digest.previousDigestS3Object, digestKeys[0]);
  assert.deepEqual(digest.logFiles.map((f: { s3Bucket: string; s3Object: string }) => [f.s3Bucket, f.s3Object]), [[BUCKET, logKeys[1]]]);
  const noFiles = await call(server.address, 'LIST', 'sys/trails', { token: server.rootToken });
  assert.deepEqual(noFiles.json.data.key_info.main, {
    arn: TRAIL_ARN, destination: 's3', endpoint: s3.url, region: 'us-east-1', force_path_style: true,
    bucket: BUCKET, prefix: 'st', delivery_interval: 300, digest_interval: 3600,
  }, 'the listing names the destination and never the credentials');
});

test('aws cloudtrail validate-logs validates the bucket', async () => {
  const run = await awsValidate();
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`^Validating log files for trail ${TRAIL_ARN} between `));
  assert.match(run.stdout, /\n2\/2 digest files valid\n2\/2 log files valid\n/);
  awsValidOutput = run.stdout;
});

test('sealtrail trail validate-logs validates the bucket, by flags or by the trail\'s configured destination', async () => {
  const byFlags = await sealtrailValidate();
  assert.equal(byFlags.code, 0, byFlags.stdout + byFlags.stderr);
  assert.match(byFlags.stdout, /\n2\/2 digest files valid\n2\/2 log files valid\n/);
  const configured = await sealtrailValidate([]);
  assert.equal(configured.code, 0, configured.stdout + configured.stderr);
  assert.equal(configured.stdout, byFlags.stdout);
  assert.equal(byFlags.stdout, awsValidOutput, 'line for line what aws-cli printed');
});

test('a digest planted under another trail\'s name is not the trail\'s: both validators validate the trail as before', async () => {
  const planted = digestKeys[1].replace('_main_us-east-1_', '_other_us-east-1_');
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: planted, Body: gzipSync('{}'), ContentType: 'application/json', ContentEncoding: 'gzip' }));
  try {
    const aws = await awsValidate();
    assert.equal(aws.code, 0, aws.stdout + aws.stderr);
    assert.equal(aws.stdout, awsValidOutput);
    for (const extra of [undefined, []]) {
      const ours = await sealtrailValidate(extra);
      assert.equal(ours.code, 0, ours.stdout + ours.stderr);
      assert.equal(ours.stdout, awsValidOutput, 'the server names its trail, as aws-cli\'s --trail-arn does');
    }
  } finally {
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: planted }));
  }
});

test('with the store down a delivery fails, GetTrailStatus shows the code, and the files arrive once it is back', async () => {
  const trail = new CloudTrailClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials });
  try {
    await s3.stop();
    await kmsCalls(2);
    const failed = await call(server.address, 'POST', 'sys/trails/main/deliver', { token: server.rootToken });
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.json, { errors: ['trail "main" could not deliver (ECONNREFUSED); pending files are kept and retried'] });
    for (const secret of [S3RVER_CREDENTIALS.secretAccessKey, s3.url]) assert.ok(!failed.text.includes(secret), failed.text);
    const status = await trail.send(new GetTrailStatusCommand({ Name: 'main' }));
    assert.equal(status.LatestDeliveryError, 'ECONNREFUSED');

    await s3.restart();
    await new Promise((r) => setTimeout(r, 1100));
    const delivered = await deliver();
    assert.equal(delivered.status, 200);
    // The pending file (the KMS calls), then one with the GetTrailStatus call made since.
    assert.equal(delivered.log_files.length, 2);
    logKeys.push(...delivered.log_files.map((u) => u.slice(`s3://${BUCKET}/`.length)));
    digestKeys.push(delivered.digest_file.slice(`s3://${BUCKET}/`.length));
    assert.deepEqual(await bucketKeys(), [...logKeys, ...digestKeys].sort());
    const ids = [];
    for (const key of logKeys) ids.push(...JSON.parse(gunzipSync(await objectBytes(key)).toString()).Records.map((r: { eventID: string }) => r.eventID));
    assert.equal(new Set(ids).size, ids.length, 'no event in two log files');
    const names = async (key: string) => JSON.parse(gunzipSync(await objectBytes(key)).toString()).Records.map((r: { eventName: string }) => r.eventName);
    const pending = await names(logKeys.at(-2)!);
    assert.deepEqual(pending.slice(-2), ['GenerateRandom', 'GenerateRandom'], 'the file built before the failure (the validators\' calls, then the KMS calls)');
    assert.ok(!pending.includes('GetTrailStatus'));
    assert.deepEqual(await names(logKeys.at(-1)!), ['GetTrailStatus']);
    assert.equal((await trail.send(new GetTrailStatusCommand({ Name: 'main' }))).LatestDeliveryError, undefined);
    const run = await awsValidate();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\n3\/3 digest files valid\n4\/4 log files valid\n/);
  } finally {
    trail.destroy();
  }
});

test('a changed log object and a changed digest signature are INVALID to both validators', async () => {
  // A log object replaced by other bytes at the same key.
  await s3.client.send(new PutObjectCommand({
    Bucket: BUCKET, Key: logKeys[0], Body: gzipSync('{"Records":[]}'), ContentType: 'application/json', ContentEncoding: 'gzip',
  }));
  // The newer digest's signature metadata replaced (the body stays): a copy onto itself.
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: digestKeys[1] }));
  const forged = head.Metadata!.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await s3.client.send(new CopyObjectCommand({
    Bucket: BUCKET, Key: digestKeys[1], CopySource: `${BUCKET}/${digestKeys[1]}`, MetadataDirective: 'REPLACE',
    Metadata: { signature: forged, 'signature-algorithm': 'SHA256withRSA' }, ContentType: 'application/json', ContentEncoding: 'gzip',
  }));

  const aws = await awsValidate();
  assert.notEqual(aws.code, 0, aws.stdout + aws.stderr);
  assert.match(aws.stderr, new RegExp(`Digest file\\ts3://${BUCKET}/${digestKeys[1]}\\tINVALID: signature verification failed`));
  assert.match(aws.stderr, new RegExp(`Log file\\ts3://${BUCKET}/${logKeys[0]}\\tINVALID: hash value doesn't match`));
  // The newest digest and its two log files are valid; the one before is not; the oldest is,
  // and its log file is not.
  assert.match(aws.stdout, /\n2\/3 digest files valid, 1\/3 digest files INVALID\n2\/3 log files valid, 1\/3 log files INVALID\n/);

  const ours = await sealtrailValidate();
  assert.equal(ours.code, 1, ours.stdout + ours.stderr);
  assert.equal(ours.stderr, aws.stderr, 'the same INVALID lines as aws-cli');
  assert.equal(ours.stdout, aws.stdout, 'the same report as aws-cli');
});
