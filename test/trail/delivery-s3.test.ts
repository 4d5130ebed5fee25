/**
 * Trail delivery to S3 when the store goes away: deliveries fail (each PUT retried with backoff),
 * the failure is reported once per episode as a code, the log file built stays pending and goes
 * out under the same key once the store is back, and every event arrives exactly once; an object
 * whose delivery could not be recorded is deleted from the bucket again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { s3Destination } from '../../src/trail/delivery/s3-destination.js';
import { backoffDelays, withRetries } from '../../src/trail/delivery/retry.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import type { DeliveryHealthEvent } from '../../src/trail/delivery/trail-writer.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { validateTrailBucket } from '../../src/trail/validate/index.js';
import { keysFromPublicKeyList } from '../../src/trail/validate/public-keys.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 23, 0, 0);
const BUCKET = 'trail-bucket';
/** Short waits: the test is about what is kept, not about how long it waits. */
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 };

test('backoff: the delays double from the base up to the cap; the last error is thrown after the attempts', async () => {
  assert.deepEqual(backoffDelays({ attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 }), [250, 500, 1000]);
  assert.deepEqual(backoffDelays({ attempts: 6, baseDelayMs: 500, maxDelayMs: 2000 }), [500, 1000, 2000, 2000, 2000]);
  const slept: number[] = [];
  let calls = 0;
  const sleep = async (ms: number) => void slept.push(ms);
  assert.equal(await withRetries(async () => (++calls < 3 ? Promise.reject(new Error(`fail ${calls}`)) : 'ok'), { attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 }, sleep), 'ok');
  assert.deepEqual([calls, slept], [3, [250, 500]]);
  calls = 0;
  slept.length = 0;
  await assert.rejects(withRetries(async () => Promise.reject(new Error(`fail ${++calls}`)), { attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 }, sleep), { message: 'fail 4' });
  assert.deepEqual(slept, [250, 500, 1000]);
});

function setup(s3: TestS3, storage: Storage = createMemoryStorage()) {
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(2), clock, purgeIntervalMs: 0 });
  const health: DeliveryHealthEvent[] = [];
  const trails = createTrailManager({
    trails: [{ name: 't', bucket: BUCKET, prefix: 'org', s3: { endpoint: s3.url, forcePathStyle: true, credentials: S3RVER_CREDENTIALS } }],
    accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage, clock,
    onHealth: (e) => void health.push(e),
    destination: (c) => s3Destination({ ...c.s3!, region: 'us-east-1', bucket: c.bucket, retry: FAST_RETRY }),
  });
  const recorder = createTrailRecorder({ store: () => store });
  let n = 0;
  const record = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await recorder.record(kmsEvent({ eventId: `evt-${n++}`, eventTime: clock.now() }));
      clock.advance(1000);
    }
  };
  return { clock, store, trails, health, record, close: async () => { await trails.stop(); await store.close(); } };
}

async function bucketObjects(s3: TestS3): Promise<Map<string, Buffer>> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const out = new Map<string, Buffer>();
  for (const o of listed.Contents ?? []) {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
    out.set(o.Key!, Buffer.from(await got.Body!.transformToByteArray()));
  }
  return out;
}

const eventIdsIn = (objects: Map<string, Buffer>) => [...objects].filter(([k]) => k.includes('/CloudTrail/'))
  .flatMap(([, body]) => JSON.parse(gunzipSync(body).toString('utf8')).Records.map((r: { eventID: string }) => r.eventID));

test('the store stopped mid-run: deliveries fail and are retried; once it is back every event arrives once', async () => {
  const s3 = await startS3([BUCKET]);
  const t = setup(s3);
  try {
    await t.trails.start();
    await t.record(3);
    assert.equal((await t.trails.deliverNow('t')).logFiles.length, 1);

    await s3.stop();
    await t.record(2);
    const failedAtMs = t.clock.now();
    await assert.rejects(t.trails.deliverNow('t'), { code: 'trail_delivery_failed', message: 'trail "t" could not deliver (ECONNREFUSED); pending files are kept and retried' });
    await t.record(1);
    t.clock.advance(120_000);
    await assert.rejects(t.trails.deliverNow('t'), { code: 'trail_delivery_failed', message: 'trail "t" could not deliver (ECONNREFUSED); pending files are kept and retried' });
    const status = await t.trails.status('t');
    assert.equal(status.latestDeliveryError, 'ECONNREFUSED', 'GetTrailStatus shows the code');
    assert.equal(status.failedAttempts, 2);
    assert.deepEqual(t.health, [{ type: 'failing', trail: 't', code: 'ECONNREFUSED' }], 'reported once for the episode');

    await s3.restart();
    t.clock.advance(60_000);
    const delivered = await t.trails.deliverNow('t');
    assert.equal(delivered.logFiles.length, 2);
    const minute = new Date(failedAtMs).toISOString().replace(/[-:]/g, '').slice(0, 13);
    assert.ok(delivered.logFiles[0].includes(`_${minute}Z_`), `the pending file keeps the key it was built with (${delivered.logFiles[0]})`);
    assert.deepEqual(t.health.at(-1), { type: 'recovered', trail: 't', failedAttempts: 2 });
    const after = await t.trails.status('t');
    assert.equal(after.latestDeliveryError, undefined);
    assert.equal(after.failedAttempts, undefined);

    const objects = await bucketObjects(s3);
    assert.deepEqual(eventIdsIn(objects).sort(), ['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4', 'evt-5'], 'nothing lost, nothing twice');
    assert.equal(objects.size, 3 + 2, 'three log files and two digests');
    const out: string[] = [];
    const result = await validateTrailBucket({
      client: s3.client, bucket: BUCKET, prefix: 'org', publicKeys: keysFromPublicKeyList(await t.trails.publicKeys()),
      startMs: T0, endMs: t.clock.now(), verbose: false, out: (x) => void out.push(x), err: (x) => void out.push(x),
    });
    assert.deepEqual(result, { validDigests: 2, invalidDigests: 0, validLogs: 3, invalidLogs: 0, exitCode: 0 }, out.join(''));
  } finally {
    await t.close();
    await s3.close();
  }
});

test('an object stored in S3 whose delivery could not be recorded is deleted; the next delivery sends the events once', async () => {
  const s3 = await startS3([BUCKET]);
  const memory = createMemoryStorage();
  let failStateWrites = false;
  const storage: Storage = {
    ...memory,
    put: (key, value) => (failStateWrites && key.endsWith('/state') ? Promise.reject(new Error('storage unavailable')) : memory.put(key, value)),
    transaction: (ops) => (failStateWrites && ops.some((o) => o.key.endsWith('/state')) ? Promise.reject(new Error('storage unavailable')) : memory.transaction(ops)),
  };
  const t = setup(s3, storage);
  try {
    await t.trails.start();
    await t.record(2);
    failStateWrites = true;
    await assert.rejects(t.trails.deliverNow('t'), { code: 'trail_delivery_failed' });
    assert.equal((await bucketObjects(s3)).size, 0, 'the stored log file was deleted again');
    failStateWrites = false;
    const delivered = await t.trails.deliverNow('t');
    assert.equal(delivered.logFiles.length, 1);
    const objects = await bucketObjects(s3);
    assert.deepEqual(eventIdsIn(objects), ['evt-0', 'evt-1']);
    assert.equal(objects.size, 2);
  } finally {
    await t.close();
    await s3.close();
  }
});

test('making the S3 client prints no notice of the SDK\'s future Node requirement (the server\'s log and the CLI\'s output stay clean on Node 20)', () => {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    const { createS3Client } = await import('./src/trail/delivery/s3-destination.ts');
    createS3Client({ region: 'us-east-1', maxResponseBytes: 1024 });
    console.log('made');
  `], { cwd: process.cwd(), env, encoding: 'utf8' });
  assert.equal(child.stdout.trim(), 'made', child.stderr);
  assert.doesNotMatch(child.stderr, /NodeVersionSupportWarning/);
});
