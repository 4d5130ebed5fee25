import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { MAX_LOG_FILE_CHARS } from '../../src/trail/delivery/trail-writer.js';
import { keysFromPublicKeyList } from '../../src/trail/validate/public-keys.js';
import { validateTrailDirectory } from '../../src/trail/validate/index.js';
import { generateRsaSigningKey, importPublicKey, publicKeyFingerprint, publicKeyPem, sha256Hex, signHex } from '../../src/trail/keys/crypto.js';
import { digestStringToSign } from '../../src/trail/delivery/digest-file.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 23, 0, 0);
const LOG_DIR = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/11/14`;
const DIGEST_DIR = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2024/11/14`;

/** A trail with two digests: digest 1 covers one log file (2 events), digest 2 covers two. */
async function deliveredTrail() {
  const dir = mkdtempSync(join(tmpdir(), 'trail-delivery-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(1), clock, purgeIntervalMs: 0 });
  const trails = createTrailManager({
    trails: [{ name: 'audit-trail', directory: dir, bucket: 'trail-bucket', prefix: 'org' }],
    accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock,
  });
  await trails.start();
  const recorder = createTrailRecorder({ store: () => store });
  let n = 0;
  const record = async () => recorder.record(kmsEvent({ eventId: `evt-${n++}`, eventTime: clock.now() }));
  await record(); clock.advance(1000); await record();
  clock.advance(60_000);
  const first = await trails.deliverNow('audit-trail');
  clock.advance(60_000); await record();
  clock.advance(1000); await record();
  clock.advance(5 * 60_000); await record();
  const second = await trails.deliverNow('audit-trail');
  const publicKeys = keysFromPublicKeyList(await trails.publicKeys());
  await trails.stop();
  return { dir, clock, store, trails, first, second, publicKeys, root: join(dir, 'trail-bucket', 'org') };
}

async function validate(ctx: Awaited<ReturnType<typeof deliveredTrail>>, startMs = T0) {
  const out: string[] = [];
  const err: string[] = [];
  const result = await validateTrailDirectory({
    dir: ctx.dir, publicKeys: ctx.publicKeys, startMs, endMs: ctx.clock.now(), verbose: true,
    out: (t) => void out.push(t), err: (t) => void err.push(t),
  });
  return { result, out: out.join(''), err: err.join('') };
}

test('delivery writes log files and digests at AWS keys, with AWS digest fields', async () => {
  const ctx = await deliveredTrail();
  try {
    assert.equal(ctx.first.logFiles.length, 1);
    assert.match(ctx.first.logFiles[0], new RegExp(`^org/${LOG_DIR}/${ACCOUNT}_CloudTrail_us-east-1_20241114T2301Z_[0-9A-Za-z]{16}\\.json\\.gz$`));
    assert.equal(ctx.first.digestFile, `org/${DIGEST_DIR}/${ACCOUNT}_CloudTrail-Digest_us-east-1_audit-trail_us-east-1_20241114T230101Z.json.gz`);
    const log = JSON.parse(gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0]))).toString());
    assert.deepEqual(log.Records.map((r: { eventID: string }) => r.eventID), ['evt-0', 'evt-1']);

    const digest1 = JSON.parse(gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.digestFile!))).toString());
    assert.deepEqual(Object.keys(digest1), [
      'awsAccountId', 'digestStartTime', 'digestEndTime', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint',
      'digestSignatureAlgorithm', 'newestEventTime', 'oldestEventTime', 'previousDigestS3Bucket', 'previousDigestS3Object',
      'previousDigestHashValue', 'previousDigestHashAlgorithm', 'previousDigestSignature', 'logFiles',
    ]);
    assert.equal(digest1.digestStartTime, '2024-11-14T23:00:00Z');
    assert.equal(digest1.digestEndTime, '2024-11-14T23:01:01Z');
    assert.equal(digest1.oldestEventTime, '2024-11-14T23:00:00Z');
    assert.equal(digest1.newestEventTime, '2024-11-14T23:00:01Z');
    assert.equal(digest1.previousDigestSignature, null);
    assert.equal(digest1.previousDigestS3Object, null);
    const logBytes = gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0])));
    assert.deepEqual(digest1.logFiles, [{
      s3Bucket: 'trail-bucket', s3Object: ctx.first.logFiles[0], hashValue: createHash('sha256').update(logBytes).digest('hex'),
      hashAlgorithm: 'SHA-256', newestEventTime: '2024-11-14T23:00:01Z', oldestEventTime: '2024-11-14T23:00:00Z',
    }]);

    const digest2 = JSON.parse(gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', ctx.second.digestFile!))).toString());
    const meta1 = JSON.parse(readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.digestFile! + '.metadata.json'), 'utf8'));
    assert.equal(meta1['signature-algorithm'], 'SHA256withRSA');
    assert.equal(digest2.previousDigestSignature, meta1.signature);
    assert.equal(digest2.previousDigestS3Object, ctx.first.digestFile);
    assert.equal(digest2.previousDigestHashAlgorithm, 'SHA-256');
    assert.equal(digest2.previousDigestHashValue, createHash('sha256').update(gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.digestFile!)))).digest('hex'));
    assert.equal(digest2.digestStartTime, digest1.digestEndTime);
    assert.equal(digest2.logFiles.length, 1);
    assert.equal(ctx.second.logFiles.length, 1);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('the untouched chain validates, printing what aws cloudtrail validate-logs prints', async () => {
  const ctx = await deliveredTrail();
  try {
    const { result, out, err } = await validate(ctx);
    assert.equal(err, '');
    assert.equal(result.exitCode, 0);
    const s3 = (k: string) => `s3://trail-bucket/${k}`;
    assert.equal(out, [
      `Validating log files for trail arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audit-trail between 2024-11-14T23:00:00Z and 2024-11-14T23:07:02Z`,
      '',
      `Digest file\t${s3(ctx.second.digestFile!)}\tvalid`,
      `Log file\t${s3(ctx.second.logFiles[0])}\tvalid`,
      `Digest file\t${s3(ctx.first.digestFile!)}\tvalid`,
      `Log file\t${s3(ctx.first.logFiles[0])}\tvalid`,
      '',
      'Results requested for 2024-11-14T23:00:00Z to 2024-11-14T23:07:02Z',
      'Results found for 2024-11-14T23:00:00Z to 2024-11-14T23:07:02Z:',
      '',
      '2/2 digest files valid',
      '2/2 log files valid',
      '',
    ].join('\n'));
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('the results found start at the earliest valid digest, never before the requested start, as aws-cli reports them', async () => {
  const ctx = await deliveredTrail();
  try {
    // Inside the first digest's interval (23:00:00 to 23:01:01): both digests are walked.
    const { result, out } = await validate(ctx, T0 + 30_000);
    assert.equal(result.validDigests, 2);
    assert.match(out, /\nResults requested for 2024-11-14T23:00:30Z to 2024-11-14T23:07:02Z\nResults found for 2024-11-14T23:00:30Z to 2024-11-14T23:07:02Z:\n/);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

/**
 * A backfill digest as CloudTrail writes one (`..._backfill.json.gz`, with `backfill-generation-timestamp`
 * in its metadata), listing a log file the regular digests do not, signed by `signer`.
 */
function writeBackfillDigest(ctx: Awaited<ReturnType<typeof deliveredTrail>>, signer: ReturnType<typeof generateRsaSigningKey>, endTime: string, logKey: string) {
  const key = `org/${DIGEST_DIR}/${ACCOUNT}_CloudTrail-Digest_us-east-1_audit-trail_us-east-1_${endTime.replace(/[-:]/g, '')}_backfill.json.gz`;
  const logText = gunzipSync(readFileSync(join(ctx.dir, 'trail-bucket', logKey)));
  const digest = {
    awsAccountId: ACCOUNT, digestStartTime: '2024-11-14T23:00:00Z', digestEndTime: endTime, digestS3Bucket: 'trail-bucket', digestS3Object: key,
    digestPublicKeyFingerprint: publicKeyFingerprint(signer.publicKeyDer), digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: null, oldestEventTime: null, previousDigestS3Bucket: null, previousDigestS3Object: null,
    previousDigestHashValue: null, previousDigestHashAlgorithm: null, previousDigestSignature: null,
    logFiles: [{ s3Bucket: 'trail-bucket', s3Object: logKey, hashValue: sha256Hex(logText), hashAlgorithm: 'SHA-256', newestEventTime: endTime, oldestEventTime: endTime }],
  };
  const text = JSON.stringify(digest);
  const signature = signHex(signer.privateKeyPem, digestStringToSign(digest, sha256Hex(text)));
  writeFileSync(join(ctx.dir, 'trail-bucket', key), gzipSync(text));
  const metadata = { signature, 'signature-algorithm': 'SHA256withRSA', 'backfill-generation-timestamp': '2024-11-14T23:06:00Z' };
  writeFileSync(join(ctx.dir, 'trail-bucket', key + '.metadata.json'), JSON.stringify(metadata));
  return key;
}

test('backfill digests are walked after the regular chain and reported as aws-cli reports them', async () => {
  const ctx = await deliveredTrail();
  try {
    const signer = generateRsaSigningKey();
    ctx.publicKeys.set(publicKeyFingerprint(signer.publicKeyDer), importPublicKey(signer.publicKeyDer));
    const late = ctx.first.logFiles[0].replace(/_[0-9A-Za-z]{16}\.json\.gz$/, '_LateLogFile00000.json.gz');
    writeFileSync(join(ctx.dir, 'trail-bucket', late), readFileSync(join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0])));
    const valid = writeBackfillDigest(ctx, signer, '2024-11-14T23:02:00Z', late);
    const junk = `org/${DIGEST_DIR}/${ACCOUNT}_CloudTrail-Digest_us-east-1_audit-trail_us-east-1_20241114T230500Z_backfill.json.gz`;
    writeFileSync(join(ctx.dir, 'trail-bucket', junk), gzipSync('junk'));
    writeFileSync(join(ctx.dir, 'trail-bucket', junk + '.metadata.json'), JSON.stringify({ signature: '00', 'signature-algorithm': 'SHA256withRSA' }));

    const { result, out, err } = await validate(ctx);
    assert.equal(result.exitCode, 1);
    assert.equal(err, `\n(backfill) Digest file\ts3://trail-bucket/${junk}\tINVALID: invalid format\n\n`);
    const lines = out.split('\n');
    const at = lines.indexOf(`(backfill) Digest file\ts3://trail-bucket/${valid}\tvalid`);
    assert.ok(at > lines.indexOf(`Log file\ts3://trail-bucket/${ctx.first.logFiles[0]}\tvalid`), out);
    assert.equal(lines[at + 1], `Log file\ts3://trail-bucket/${late}\tvalid`);
    assert.match(out, /\n2\/2 digest files valid\n1\/2 backfill digest files valid, 1\/2 backfill digest files INVALID\n3\/3 log files valid\n$/);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('a backfill digest without its generation time in the metadata is INVALID', async () => {
  const ctx = await deliveredTrail();
  try {
    const signer = generateRsaSigningKey();
    ctx.publicKeys.set(publicKeyFingerprint(signer.publicKeyDer), importPublicKey(signer.publicKeyDer));
    const key = writeBackfillDigest(ctx, signer, '2024-11-14T23:02:00Z', ctx.first.logFiles[0]);
    const metaPath = join(ctx.dir, 'trail-bucket', key + '.metadata.json');
    const { 'backfill-generation-timestamp': _dropped, ...metadata } = JSON.parse(readFileSync(metaPath, 'utf8'));
    writeFileSync(metaPath, JSON.stringify(metadata));
    const { result, err } = await validate(ctx);
    assert.equal(result.exitCode, 1);
    assert.equal(err, `\n(backfill) Digest file\ts3://trail-bucket/${key}\tINVALID: invalid format\n\n`);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('tampering is reported INVALID with exit code 1', async (t) => {
  const cases: Array<[string, (ctx: Awaited<ReturnType<typeof deliveredTrail>>) => void, (ctx: Awaited<ReturnType<typeof deliveredTrail>>) => string]> = [
    ['one byte of a log file flipped', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0]);
      const text = gunzipSync(readFileSync(p));
      text[20] ^= 1;
      writeFileSync(p, gzipSync(text));
    }, (ctx) => `\nLog file\ts3://trail-bucket/${ctx.first.logFiles[0]}\tINVALID: hash value doesn't match\n\n`],
    ['one byte of the gzip file itself flipped', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0]);
      const bytes = readFileSync(p);
      bytes[bytes.length - 6] ^= 1; // inside the gzip trailer's CRC-32
      writeFileSync(p, bytes);
    }, (ctx) => `\nLog file\ts3://trail-bucket/${ctx.first.logFiles[0]}\tINVALID: invalid format\n\n`],
    ['a log file deleted', (ctx) => unlinkSync(join(ctx.dir, 'trail-bucket', ctx.second.logFiles[0])),
      (ctx) => `\nLog file\ts3://trail-bucket/${ctx.second.logFiles[0]}\tINVALID: not found\n\n`],
    ['a digest edited', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.second.digestFile!);
      const digest = JSON.parse(gunzipSync(readFileSync(p)).toString());
      digest.logFiles = [];
      writeFileSync(p, gzipSync(JSON.stringify(digest)));
    }, (ctx) => `Digest file\ts3://trail-bucket/${ctx.second.digestFile}\tINVALID: signature verification failed\n\n`],
    ['a digest deleted', (ctx) => unlinkSync(join(ctx.dir, 'trail-bucket', ctx.first.digestFile!)),
      (ctx) => `\nDigest file\ts3://trail-bucket/${ctx.first.digestFile}\tINVALID: not found\n\n`],
    // What is not a file is refused unread: /dev/zero never ends, a FIFO never opens for reading.
    ['a log file replaced by a link to /dev/zero', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0]);
      unlinkSync(p);
      symlinkSync('/dev/zero', p);
    }, (ctx) => `\nLog file\ts3://trail-bucket/${ctx.first.logFiles[0]}\tINVALID: not a regular file\n\n`],
    ['a log file replaced by a FIFO', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.first.logFiles[0]);
      unlinkSync(p);
      execFileSync('mkfifo', [p]);
    }, (ctx) => `\nLog file\ts3://trail-bucket/${ctx.first.logFiles[0]}\tINVALID: not a regular file\n\n`],
    ['a log file replaced by a directory', (ctx) => {
      const p = join(ctx.dir, 'trail-bucket', ctx.second.logFiles[0]);
      unlinkSync(p);
      mkdirSync(p);
    }, (ctx) => `\nLog file\ts3://trail-bucket/${ctx.second.logFiles[0]}\tINVALID: not a regular file\n\n`],
  ];
  for (const [name, tamper, expectedErr] of cases) {
    await t.test(name, async () => {
      const ctx = await deliveredTrail();
      try {
        tamper(ctx);
        const { result, err, out } = await validate(ctx);
        assert.equal(result.exitCode, 1);
        assert.equal(err, expectedErr(ctx));
        assert.match(out, /files INVALID/);
      } finally {
        rmSync(ctx.dir, { recursive: true, force: true });
      }
    });
  }
});

test('a key among the trail\'s digest names that does not end in _<time>.json.gz as Sealtrail writes it is INVALID, as aws-cli reads it', async (t) => {
  const named = (end: string) => `org/${DIGEST_DIR}/${ACCOUNT}_CloudTrail-Digest_us-east-1_audit-trail_us-east-1_${end}.json.gz`;
  const cases: Array<[string, string, (ctx: Awaited<ReturnType<typeof deliveredTrail>>, key: string) => void, string]> = [
    // aws-cli reads the 16 characters before .json.gz as the end time, and lists keys as S3 does (in
    // key order): this one is the newest, walked first.
    ['a copy of a digest, its time after an x', 'x20241114T230500Z', (ctx, key) => {
      copyFileSync(join(ctx.dir, 'trail-bucket', ctx.second.digestFile!), join(ctx.dir, 'trail-bucket', key));
      copyFileSync(join(ctx.dir, 'trail-bucket', `${ctx.second.digestFile!}.metadata.json`), join(ctx.dir, 'trail-bucket', `${key}.metadata.json`));
    }, 'has been moved from its original location'],
    ['a key whose time is no time', '20241114T2305XXZ', (ctx, key) => writeFileSync(join(ctx.dir, 'trail-bucket', key), gzipSync('{}')),
      'its key does not end in a digest end time (YYYYMMDDTHHmmssZ.json.gz)'],
  ];
  for (const [name, end, plant, reason] of cases) {
    await t.test(name, async () => {
      const ctx = await deliveredTrail();
      try {
        plant(ctx, named(end));
        const { result, err } = await validate(ctx);
        assert.equal(result.exitCode, 1);
        assert.ok(err.startsWith(`Digest file\ts3://trail-bucket/${named(end)}\tINVALID: ${reason}\n\n`), err);
      } finally {
        rmSync(ctx.dir, { recursive: true, force: true });
      }
    });
  }
});

test('digests planted under the trail\'s name in another region or account are not the trail\'s, as for aws-cli given its ARN', async () => {
  const ctx = await deliveredTrail();
  try {
    const elsewhere = [['us-west-2', ACCOUNT], ['us-east-1', '999988887777']].map(([region, account]) =>
      `org/AWSLogs/${account}/CloudTrail-Digest/${region}/2024/11/14/${account}_CloudTrail-Digest_${region}_audit-trail_${region}_20241114T230500Z.json.gz`);
    for (const key of elsewhere) {
      mkdirSync(join(ctx.dir, 'trail-bucket', key, '..'), { recursive: true });
      writeFileSync(join(ctx.dir, 'trail-bucket', key), gzipSync('{}'));
    }
    const out: string[] = [];
    const result = await validateTrailDirectory({
      dir: ctx.dir, publicKeys: ctx.publicKeys, startMs: T0, endMs: ctx.clock.now(), verbose: false, out: (t) => void out.push(t), err: (t) => void out.push(t),
      trailName: 'audit-trail', knownTrails: [{ name: 'audit-trail', arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/audit-trail` }],
    });
    assert.equal(result.exitCode, 0, out.join(''));
    assert.equal(result.validDigests, 2);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('digest signatures verify with openssl over the AWS string to sign', async () => {
  // openssl is part of the project's machines; without it this proof must fail, not vanish.
  execFileSync('openssl', ['version']);
  const ctx = await deliveredTrail();
  try {
    const [info] = await ctx.trails.publicKeys();
    writeFileSync(join(ctx.dir, 'pub.pem'), publicKeyPem(importPublicKey(Buffer.from(info.Value, 'base64'))));
    const path = join(ctx.dir, 'trail-bucket', ctx.second.digestFile!);
    const inflated = gunzipSync(readFileSync(path));
    const digest = JSON.parse(inflated.toString());
    const meta = JSON.parse(readFileSync(path + '.metadata.json', 'utf8'));
    const toSign = `${digest.digestEndTime}\ntrail-bucket/${ctx.second.digestFile}\n${createHash('sha256').update(inflated).digest('hex')}\n${digest.previousDigestSignature}`;
    writeFileSync(join(ctx.dir, 'data.txt'), toSign);
    writeFileSync(join(ctx.dir, 'sig.bin'), Buffer.from(meta.signature, 'hex'));
    const verified = execFileSync('openssl', ['dgst', '-sha256', '-verify', join(ctx.dir, 'pub.pem'), '-signature', join(ctx.dir, 'sig.bin'), join(ctx.dir, 'data.txt')]).toString();
    assert.equal(verified.trim(), 'Verified OK');
    assert.equal(info.Fingerprint, digest.digestPublicKeyFingerprint);
    assert.ok(existsSync(path) && readdirSync(join(ctx.dir, 'trail-bucket', 'org')).length > 0);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
});

test('a --dir that does not exist or is a file is refused, not read as a trail with no digests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-trail-dir-'));
  try {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const run = (d: string) => validateTrailDirectory({ dir: d, publicKeys: new Map(), startMs: T0, endMs: T0 + 1, verbose: false, out: () => undefined, err: () => undefined });
    await assert.rejects(run(join(dir, 'missing')), { message: `trail directory "${join(dir, 'missing')}" does not exist` });
    await assert.rejects(run(file), { message: `"${file}" is not a directory (--dir takes the trail's directory, holding <bucket>/AWSLogs/...)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('large events are split across log files of at most MAX_LOG_FILE_CHARS, each event delivered once and in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-delivery-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(1), clock, purgeIntervalMs: 0 });
  const trails = createTrailManager({
    trails: [{ name: 'audit-trail', directory: dir, bucket: 'trail-bucket' }],
    accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock,
  });
  try {
    await trails.start();
    const recorder = createTrailRecorder({ store: () => store });
    // Records of about 99 KB each, as large as a recorded field may be (format.ts): 340 of them
    // hold more than one file may.
    const count = 340;
    for (let i = 0; i < count; i++) {
      await recorder.record(kmsEvent({ eventId: `evt-${i}`, eventTime: clock.now(), requestParameters: { description: `${i}`.padEnd(99_000, 'd') } }));
    }
    const { logFiles } = await trails.deliverNow('audit-trail');
    assert.ok(logFiles.length >= 2, `${logFiles.length} log file(s)`);
    const delivered: string[] = [];
    for (const key of logFiles) {
      const text = gunzipSync(readFileSync(join(dir, 'trail-bucket', key))).toString();
      assert.ok(text.length <= MAX_LOG_FILE_CHARS + '{"Records":[]}'.length, `a log file of ${text.length} characters`);
      delivered.push(...(JSON.parse(text) as { Records: Array<{ eventID: string }> }).Records.map((r) => r.eventID));
    }
    assert.deepEqual(delivered, Array.from({ length: count }, (_, i) => `evt-${i}`));
    assert.deepEqual((await trails.deliverNow('audit-trail')).logFiles, []);
  } finally {
    await trails.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
