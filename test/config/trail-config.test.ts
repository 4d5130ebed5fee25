import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type ConfigProblem } from '../../src/config/index.js';

async function problemsOf(text: string): Promise<readonly ConfigProblem[]> {
  try {
    await parseConfig(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('the configuration was accepted');
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

test('an s3 trail is read with its endpoint, region, addressing style and credentials', async () => {
  const config = await parseConfig(`trail "main" {
  bucket = "audit-bucket"
  prefix = "org/sealtrail"
  s3 {
    endpoint = "http://127.0.0.1:4569/"
    region = "us-east-1"
    force_path_style = true
    credentials {
      access_key_id = "AKIAEXAMPLE"
      secret_access_key = "${SECRET}"
    }
  }
}
`);
  assert.deepEqual(config.trails, [{
    name: 'main', bucket: 'audit-bucket', prefix: 'org/sealtrail', deliveryIntervalMs: undefined, digestIntervalMs: undefined,
    s3: { endpoint: 'http://127.0.0.1:4569', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET } },
  }]);
});

test('without credentials or endpoint an s3 trail uses the SDK\'s chain and AWS\'s endpoint', async () => {
  const config = await parseConfig('trail "main" {\n  bucket = "audit-bucket"\n  s3 {}\n}\n');
  assert.deepEqual(config.trails[0].s3, { forcePathStyle: false });
  assert.equal(config.trails[0].directory, undefined);
});

test('a trail needs exactly one destination', async () => {
  assert.deepEqual(await problemsOf('trail "main" {\n  bucket = "audit-bucket"\n}\n'), [
    { key: 'trail', message: 'trail "main" needs exactly one destination: directory = "<path>" or an s3 { ... } block' },
  ]);
  assert.deepEqual(await problemsOf('trail "main" {\n  bucket = "audit-bucket"\n  directory = "/var/lib/t"\n  s3 {}\n}\n'), [
    { key: 'trail', message: 'trail "main" needs exactly one destination: directory = "<path>" or an s3 { ... } block, not both' },
  ]);
});

test('every bad s3 value is its own problem, and no credential or endpoint password is echoed', async () => {
  const problems = await problemsOf(`trail "main" {
  bucket = "Bad_Bucket"
  prefix = "/abs/../x"
  s3 {
    endpoint = "ftp://user:hunter2@127.0.0.1:21"
    region = "US East"
    force_path_style = "yes"
    colour = "blue"
    credentials {
      access_key_id = "AKIA EXAMPLE"
      secret_access_key = ""
      token = "${SECRET}"
    }
  }
}
`);
  assert.deepEqual(problems.map((p) => p.message), [
    'unknown key "colour" in trail "main" s3 (allowed: endpoint, region, force_path_style, credentials)',
    'trail "main" s3.endpoint must not carry a user name or password: put them in the credentials block',
    'trail "main" s3.region must be a region name such as us-east-1 (lowercase letters, digits and hyphens)',
    'trail "main" s3.force_path_style must be true or false',
    'unknown key "token" in trail "main" s3.credentials (allowed: access_key_id, secret_access_key, session_token)',
    'trail "main" s3.credentials.access_key_id must be a non-empty string without spaces or control characters (its value is not shown)',
    'trail "main" s3.credentials.secret_access_key must be a non-empty string without spaces or control characters (its value is not shown)',
    'trail "main" bucket must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens',
    'trail "main" prefix must be at most 200 characters of "/"-separated names (no leading "/", no empty, "." or ".." names)',
  ]);
  assert.ok(problems.every((p) => p.key === 'trail'));
  const all = JSON.stringify(problems);
  for (const secret of [SECRET, 'hunter2', 'AKIA EXAMPLE']) assert.ok(!all.includes(secret), `${secret} is not echoed`);
});

test('an endpoint that is not an http(s) URL with only a host and port is refused', async () => {
  for (const endpoint of ['127.0.0.1:9000', 'ftp://127.0.0.1', 'http://127.0.0.1:9000/bucket', 'http://127.0.0.1:9000/?x=1', '']) {
    const problems = await problemsOf(`trail "main" {\n  bucket = "audit-bucket"\n  s3 {\n    endpoint = "${endpoint}"\n  }\n}\n`);
    assert.deepEqual(problems.map((p) => p.message), [
      'trail "main" s3.endpoint must be an http:// or https:// URL with a host and nothing after it but an optional port, such as http://127.0.0.1:9000',
    ], endpoint);
  }
});

test('a directory trail keeps working; its bucket may not name a path', async () => {
  const config = await parseConfig('trail "main" {\n  directory = "/var/lib/sealtrail/trail"\n  bucket = "b"\n}\n');
  assert.deepEqual(config.trails, [{ name: 'main', directory: '/var/lib/sealtrail/trail', bucket: 'b', prefix: undefined, deliveryIntervalMs: undefined, digestIntervalMs: undefined }]);
  assert.deepEqual((await problemsOf('trail "main" {\n  directory = "/t"\n  bucket = "../etc"\n}\n')).map((p) => p.message), ['trail "main" bucket must not contain "/" or be "." or ".."']);
});

test('problems of several trails and other sections are all listed', async () => {
  const problems = await problemsOf('log_level = "loud"\ntrail "trail-a" {\n  bucket = "audit-bucket"\n}\ntrail "trail-b" {\n  directory = "/t"\n  bucket = "b"\n  delivery_interval = "1ms"\n}\ntrail "192.168.5.4" {\n  directory = "/t"\n  bucket = "b"\n}\n');
  assert.deepEqual(problems, [
    { key: 'log_level', message: 'log_level must be one of trace, debug, info, warn, error' },
    { key: 'trail', message: 'trail "192.168.5.4": a trail name must be 3 to 128 letters, numbers, periods (.), underscores (_) or dashes (-), starting and ending with a letter or number, with no adjacent periods, underscores or dashes, and not an IP address' },
    { key: 'trail', message: 'trail "trail-a" needs exactly one destination: directory = "<path>" or an s3 { ... } block' },
    { key: 'trail', message: 'trail "trail-b" delivery_interval must be a duration from 1s to 24h' },
  ]);
});

test('an interval longer than a day is refused: a timer of over 2^31 − 1 ms would fire every millisecond', async () => {
  for (const key of ['delivery_interval', 'digest_interval']) {
    const problems = await problemsOf(`trail "main" {\n  directory = "/t"\n  bucket = "b"\n  ${key} = "1000h"\n}\n`);
    assert.deepEqual(problems.map((p) => p.message), [`trail "main" ${key} must be a duration from 1s to 24h`]);
  }
  assert.equal((await parseConfig('trail "main" {\n  directory = "/t"\n  bucket = "b"\n  digest_interval = "24h"\n}\n')).trails[0].digestIntervalMs, 24 * 3600_000);
  await assert.rejects(parseConfig('audit_block_timeout = "1000h"\n'), /audit_block_timeout must be a positive duration of at most 24h/);
  assert.equal((await parseConfig('audit_block_timeout = "24h"\n')).auditBlockTimeoutMs, 24 * 3600_000);
});
