/**
 * Trail delivery leaves no partial state behind a failure: a write that hits a full disk (a real
 * tmpfs) leaves no temporary file, and objects whose delivery could not be recorded in the trail's
 * state are removed, so the next delivery sends the same events once and the chain validates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { writeObject } from '../../src/trail/delivery/files.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { validateTrailDirectory } from '../../src/trail/validate/index.js';
import { keysFromPublicKeyList } from '../../src/trail/validate/public-keys.js';
import { freeSpace, mountTmpfs } from '../helpers/tmpfs.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 23, 0, 0);

/** Every file under `dir`, relative. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();

test('an object written to a full disk fails and leaves no temporary file', async () => {
  const fs = mountTmpfs('1m');
  try {
    const filler = fs.fill();
    const target = join(fs.dir, 'bucket', 'log.json.gz');
    await assert.rejects(writeObject(target, Buffer.alloc(64 * 1024, 1)), { code: 'ENOSPC' });
    assert.deepEqual(filesUnder(fs.dir), ['filler']);
    freeSpace(filler);
    await writeObject(target, Buffer.alloc(64 * 1024, 1));
    assert.deepEqual(filesUnder(fs.dir), ['bucket/log.json.gz']);
  } finally {
    fs.unmount();
  }
});

test('objects whose delivery could not be recorded are removed; the next delivery sends the events once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-failures-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(1), clock, purgeIntervalMs: 0 });
  const memory = createMemoryStorage();
  let failStateWrites = false;
  const storage: Storage = {
    ...memory,
    put: (key, value) => (failStateWrites && key.endsWith('/state') ? Promise.reject(new Error('storage unavailable')) : memory.put(key, value)),
    transaction: (ops) => (failStateWrites && ops.some((o) => o.key.endsWith('/state')) ? Promise.reject(new Error('storage unavailable')) : memory.transaction(ops)),
  };
  const trails = createTrailManager({
    trails: [{ name: 't', directory: dir, bucket: 'bucket' }], accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage, clock,
  });
  try {
    await trails.start();
    const recorder = createTrailRecorder({ store: () => store });
    for (let i = 0; i < 3; i++) {
      await recorder.record(kmsEvent({ eventId: `evt-${i}`, eventTime: clock.now() }));
      clock.advance(1000);
    }
    clock.advance(60_000);
    failStateWrites = true;
    await assert.rejects(trails.deliverNow('t'), { code: 'trail_delivery_failed', message: 'trail "t" could not deliver (DeliveryFailed); pending files are kept and retried' });
    assert.deepEqual(filesUnder(dir), [], 'neither the log file nor a digest stays behind');
    // GetTrailStatus shows the failure as a code: an error message may carry a path.
    assert.deepEqual(await trails.status('t'), { startMs: T0, latestDeliveryAttemptMs: clock.now(), latestDeliveryError: 'DeliveryFailed', failedAttempts: 1, isLogging: true });

    failStateWrites = false;
    clock.advance(60_000);
    const delivered = await trails.deliverNow('t');
    assert.equal(delivered.logFiles.length, 1);
    assert.deepEqual(await trails.status('t'), { startMs: T0, latestDeliveryAttemptMs: clock.now(), latestDeliveryMs: clock.now(), latestDigestMs: clock.now(), isLogging: true });
    const log = JSON.parse(gunzipSync(await readFile(join(dir, 'bucket', delivered.logFiles[0]))).toString());
    assert.deepEqual(log.Records.map((r: { eventID: string }) => r.eventID), ['evt-0', 'evt-1', 'evt-2']);
    assert.equal(filesUnder(dir).length, 3, 'one log file, one digest and its signature');
    const out: string[] = [];
    const result = await validateTrailDirectory({
      dir, publicKeys: keysFromPublicKeyList(await trails.publicKeys()), startMs: T0, endMs: clock.now(), verbose: false,
      out: (t) => void out.push(t), err: (t) => void out.push(t),
    });
    assert.deepEqual(result, { validDigests: 1, invalidDigests: 0, validLogs: 1, invalidLogs: 0, exitCode: 0 }, out.join(''));
    await trails.stop();
    assert.equal((await trails.status('t')).isLogging, false);
  } finally {
    await trails.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
