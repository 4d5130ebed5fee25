/**
 * `sealtrail trail validate-logs` against a bucket: flags that do not fit together are refused
 * before anything is read, an endpoint's password is never echoed, and a store that cannot be
 * read ends the command with exit 2 and the store's error code alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIn } from '../cli/harness.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3.js';

const START = ['--start-time', '2024-11-14T22:00:00Z', '--end-time', '2024-11-15T00:00:00Z'];
const ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey };

function publicKeyFile(dir: string): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, 'pub.pem');
  writeFileSync(path, publicKey.export({ type: 'pkcs1', format: 'pem' }));
  return path;
}

test('flags that do not fit together are refused, and an endpoint password is not echoed', async () => {
  const both = await runIn(['trail', 'validate-logs', '--dir', '/tmp', '--s3-bucket', 'audit-bucket', ...START]);
  assert.deepEqual([both.code, both.stderr], [1, 'give --dir or --s3-bucket, not both\n']);
  const stray = await runIn(['trail', 'validate-logs', '--dir', '/tmp', '--s3-prefix', 'st', ...START]);
  assert.deepEqual([stray.code, stray.stderr], [1, '--s3-prefix, --s3-endpoint, --s3-region and --s3-force-path-style go with --s3-bucket\n']);
  const secret = await runIn(['trail', 'validate-logs', '--s3-bucket', 'audit-bucket', '--s3-endpoint', 'http://admin:hunter2@127.0.0.1:9000', '--public-key', '/nonexistent.pem', ...START]);
  assert.deepEqual([secret.code, secret.stderr], [1, '--s3-endpoint must be an http:// or https:// URL without a user name or password\n']);
  const account = await runIn(['trail', 'validate-logs', '--s3-bucket', 'audit-bucket', '--account-id', '12', ...START]);
  assert.deepEqual([account.code, account.stderr], [1, '--account-id must be a 12-digit AWS account id\n']);
});

test('a bucket that cannot be read ends with exit 2 and the store\'s error code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-cli-s3-'));
  const s3 = await startS3([]);
  try {
    const key = publicKeyFile(dir);
    const missing = await runIn(['trail', 'validate-logs', '--s3-bucket', 'no-such-bucket', '--s3-endpoint', s3.url, '--s3-force-path-style', '--public-key', key, ...START], { env: ENV });
    assert.deepEqual([missing.code, missing.stderr], [2, 'Error reading s3://no-such-bucket: NoSuchBucket\n']);
    await s3.stop();
    const down = await runIn(['trail', 'validate-logs', '--s3-bucket', 'audit-bucket', '--s3-endpoint', s3.url, '--s3-force-path-style', '--public-key', key, ...START], { env: ENV });
    assert.deepEqual([down.code, down.stderr], [2, 'Error reading s3://audit-bucket: ECONNREFUSED\n']);
    assert.ok(!down.stderr.includes(S3RVER_CREDENTIALS.secretAccessKey));
  } finally {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
