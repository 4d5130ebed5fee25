/**
 * A trail's state grows with nothing but its cursor: each log file delivered while no digest
 * covers it (between digests, or after an outage, a backlog of files) is saved as a record of its
 * own, so saving one costs the same however many wait, where rewriting the whole list made a
 * backlog's cost grow with its square. Restarts keep what waits: after an outage, with or without
 * a restart in it, every event is delivered exactly once and the digest chain validates, from a
 * state saved by this version or by one that kept the list in the state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { putJson, type Storage } from '../../src/storage/index.js';
import { directoryDestination } from '../../src/trail/delivery/directory-destination.js';
import type { DeliveryDestination } from '../../src/trail/delivery/destination.js';
import { createTrailWriter } from '../../src/trail/delivery/trail-writer.js';
import { createSigningKeys } from '../../src/trail/keys/signing-keys.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { validateTrailDirectory } from '../../src/trail/validate/index.js';
import { keysFromPublicKeyList } from '../../src/trail/validate/public-keys.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 23, 0, 0);

/** A trail on a directory, whose storage counts the bytes each put writes. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'trail-state-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(1), clock, purgeIntervalMs: 0 });
  const memory = createMemoryStorage();
  const written: number[] = [];
  const storage: Storage = {
    ...memory,
    put: (key, value) => { written.push(value.byteLength); return memory.put(key, value); },
    transaction: (ops) => { for (const o of ops) if (o.op === 'put') written.push(o.value.byteLength); return memory.transaction(ops); },
  };
  const keys = createSigningKeys({ storage, clock });
  let outage = false;
  let digestsFail = false;
  const directory = directoryDestination(dir, 'bucket');
  const destination: DeliveryDestination = {
    ...directory,
    put: (object) => (outage || (digestsFail && object.key.includes('CloudTrail-Digest'))
      ? Promise.reject(Object.assign(new Error('S3 answered 500'), { code: 'InternalError' }))
      : directory.put(object)),
  };
  const writer = () => createTrailWriter({
    config: { name: 't', directory: dir, bucket: 'bucket' }, location: { accountId: ACCOUNT, region: 'us-east-1', prefix: '' },
    destination, store: () => store, keys, storage, clock,
  });
  const recorder = createTrailRecorder({ store: () => store });
  let n = 0;
  const record = async (stepMs = 1000) => { await recorder.record(kmsEvent({ eventId: `evt-${n++}`, eventTime: clock.now() })); clock.advance(stepMs); };
  return {
    dir, clock, storage, memory, keys, writer, record, written,
    events: () => n,
    setOutage: (on: boolean) => { outage = on; },
    setDigestsFail: (on: boolean) => { digestsFail = on; },
    close: () => { store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** The event ids of every log file delivered, in delivery order, and the chain's validation. */
async function delivered(t: ReturnType<typeof setup>) {
  const files = readdirSync(join(t.dir, 'bucket'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json.gz') && !e.name.includes('Digest'))
    .map((e) => join(e.parentPath, e.name)).sort();
  const ids = files.flatMap((f) => (JSON.parse(gunzipSync(readFileSync(f)).toString()) as { Records: { eventID: string }[] }).Records.map((r) => r.eventID));
  const out: string[] = [];
  const result = await validateTrailDirectory({
    dir: t.dir, publicKeys: keysFromPublicKeyList(await t.keys.publicKeys()), startMs: T0, endMs: t.clock.now() + 3600_000, verbose: false,
    out: (s) => void out.push(s), err: (s) => void out.push(s),
  });
  return { ids, result, report: out.join('') };
}

const allIds = (n: number) => Array.from({ length: n }, (_, i) => `evt-${i}`);

test('saving a delivered log file costs the same however many files wait for a digest', async () => {
  const t = setup();
  try {
    const w = t.writer();
    await w.init();
    const perDelivery: number[] = [];
    for (let i = 0; i < 200; i++) {
      await t.record();
      t.clock.advance(60_000);
      const before = t.written.length;
      assert.equal((await w.deliverLogs()).logFiles.length, 1);
      perDelivery.push(t.written.slice(before).reduce((a, b) => a + b, 0));
    }
    assert.ok(perDelivery[199] <= perDelivery[0] + 64, `bytes saved per delivery: first ${perDelivery[0]}, 200th ${perDelivery[199]}`);
    await w.deliverAndDigest();
    const { ids, result, report } = await delivered(t);
    assert.deepEqual(ids, allIds(200));
    assert.deepEqual(result, { validDigests: 1, invalidDigests: 0, validLogs: 200, invalidLogs: 0, exitCode: 0 }, report);
  } finally {
    t.close();
  }
});

test('after an S3 outage, with restarts in it and after it, every event is delivered exactly once and the chain validates', async () => {
  const t = setup();
  try {
    let w = t.writer();
    await w.init();
    // Files delivered before the outage wait for a digest across the restart below.
    for (let i = 0; i < 3; i++) { await t.record(); t.clock.advance(60_000); await w.deliverLogs(); }
    t.setOutage(true);
    for (let attempt = 0; attempt < 5; attempt++) {
      await t.record();
      t.clock.advance(60_000);
      await assert.rejects(w.deliverLogs());
      await assert.rejects(w.deliverAndDigest());
    }
    w = t.writer(); // a restart in the outage: the file built and not stored is gone, its events are not
    await w.init();
    await t.record();
    await assert.rejects(w.deliverLogs());
    t.setOutage(false);
    t.clock.advance(60_000);
    const backlog = await w.deliverLogs();
    assert.equal(backlog.logFiles.length, 1, 'the events the outage held go in one file');
    w = t.writer(); // a restart after it, before any digest
    await w.init();
    await t.record();
    t.clock.advance(60_000);
    const result = await w.deliverAndDigest();
    assert.equal(result.logFiles.length, 1);
    assert.ok(result.digestFile);
    const check = await delivered(t);
    assert.deepEqual(check.ids, allIds(t.events()));
    assert.deepEqual(check.result, { validDigests: 1, invalidDigests: 0, validLogs: 5, invalidLogs: 0, exitCode: 0 }, check.report);
    // The digest's records are gone with it; the state says nothing waits.
    assert.deepEqual(t.memory.keys().filter((k) => k.includes('/log-files/')), []);
  } finally {
    t.close();
  }
});

test('a state saved with its waiting log files in it goes on: the next digest covers them, then the new ones', async () => {
  const t = setup();
  try {
    let w = t.writer();
    await w.init();
    for (let i = 0; i < 2; i++) { await t.record(); t.clock.advance(60_000); await w.deliverLogs(); }
    // The same state as the earlier form saved it: the list in the state, no records.
    const state = JSON.parse(Buffer.from((await t.memory.get('trails/t/state'))!).toString()) as Record<string, unknown>;
    const records = await Promise.all([0, 1].map(async (n) => JSON.parse(Buffer.from((await t.memory.get(`trails/t/log-files/${n}`))!).toString()) as unknown));
    const { firstPending: _f, nextPending: _n, ...rest } = state;
    await t.memory.delete('trails/t/log-files/0');
    await t.memory.delete('trails/t/log-files/1');
    await putJson(t.memory, 'trails/t/state', { ...rest, pendingLogs: records });

    w = t.writer();
    await w.init();
    await t.record();
    t.clock.advance(60_000);
    await w.deliverAndDigest();
    const check = await delivered(t);
    assert.deepEqual(check.ids, allIds(3));
    assert.deepEqual(check.result, { validDigests: 1, invalidDigests: 0, validLogs: 3, invalidLogs: 0, exitCode: 0 }, check.report);
  } finally {
    t.close();
  }
});

test('log files delivered while a digest is pending wait for the next digest', async () => {
  const t = setup();
  try {
    const w = t.writer();
    await w.init();
    for (let i = 0; i < 2; i++) { await t.record(); t.clock.advance(60_000); await w.deliverLogs(); }
    t.setDigestsFail(true);
    await assert.rejects(w.deliverAndDigest());
    for (let i = 0; i < 3; i++) { await t.record(); t.clock.advance(60_000); await w.deliverLogs(); }
    t.setDigestsFail(false);
    // The retry stores the digest built before: it covers the first two files only.
    const retried = await w.deliverAndDigest();
    assert.equal(retried.logFiles.length, 0);
    t.clock.advance(60_000);
    await w.deliverAndDigest();
    const check = await delivered(t);
    assert.deepEqual(check.ids, allIds(5));
    assert.deepEqual(check.result, { validDigests: 2, invalidDigests: 0, validLogs: 5, invalidLogs: 0, exitCode: 0 }, check.report);
    const digests = readdirSync(join(t.dir, 'bucket'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json.gz') && e.name.includes('Digest')).map((e) => join(e.parentPath, e.name)).sort();
    assert.deepEqual(digests.map((f) => (JSON.parse(gunzipSync(readFileSync(f)).toString()) as { logFiles: unknown[] }).logFiles.length), [2, 3]);
    assert.deepEqual(t.memory.keys().filter((k) => k.includes('/log-files/')), []);
  } finally {
    t.close();
  }
});

test('a digest never ends after the clock: one asked for in the second of the last waits, its log files kept for the next', async () => {
  const t = setup();
  try {
    const w = t.writer();
    await w.init();
    await t.record();
    const first = await w.deliverAndDigest();
    assert.ok(first.digestFile?.endsWith('_20241114T230001Z.json.gz'), first.digestFile);
    assert.equal(first.logFiles.length, 1);
    await t.record(100);
    // A delivery in the same second as the last digest (23:00:01.1).
    const sameSecond = await w.deliverAndDigest();
    assert.equal(sameSecond.logFiles.length, 1, 'the log files are delivered');
    assert.equal(sameSecond.digestFile, undefined, 'a digest ending in the second of the last one would end in the future');
    assert.deepEqual(w.pending(), { logFile: undefined, digestFile: undefined });
    assert.equal((await w.deliverAndDigest()).digestFile, undefined);
    t.clock.advance(900);
    const next = await w.deliverAndDigest();
    assert.ok(next.digestFile?.endsWith('_20241114T230002Z.json.gz'), next.digestFile);
    const digest = JSON.parse(gunzipSync(readFileSync(join(t.dir, 'bucket', next.digestFile!))).toString()) as { digestEndTime: string; logFiles: { s3Object: string }[] };
    assert.ok(Date.parse(digest.digestEndTime) <= t.clock.now());
    assert.deepEqual(digest.logFiles.map((f) => f.s3Object), sameSecond.logFiles, 'the deferred digest covers the files delivered meanwhile');
    const { result, report } = await delivered(t);
    assert.equal(result.exitCode, 0);
    assert.equal(result.validLogs, 2, report);
  } finally {
    t.close();
  }
});
