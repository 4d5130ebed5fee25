/**
 * The event store's retention sweep runs in short steps on the thread that answers requests:
 * between steps that thread turns (an append made during a sweep is acknowledged before the
 * sweep ends), and once the sweep has ended nothing older than the retention is left in any table.
 * The write-ahead log the steps fill is checkpointed by a thread of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { manualClock } from '../../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../../src/trail/format.js';
import { createWalCheckpointer } from '../../../src/trail/store/checkpointer.js';
import { createEventStore } from '../../../src/trail/store/event-store.js';
import { STEP_ROWS } from '../../../src/trail/store/retention-sweep.js';
import { lookupEvents } from '../../../src/trail/lookup/lookup-events.js';
import type { AppendInput } from '../../../src/trail/store/types.js';
import { ACCOUNT, KEY_ARN, kmsEvent } from '../fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);
const KEY = new Uint8Array(32).fill(7);
const HOUR = 3600_000;

/** Event i at T0 + i ms: one key named by most (more than a step's rows), 40 others by a few each. */
function event(i: number, timeMs = T0 + i): AppendInput {
  const arn = i % 5 === 0 ? `arn:aws:kms:us-east-1:${ACCOUNT}:key/other-${i % 40}` : KEY_ARN;
  const eventId = `0190f000-0000-7000-8000-${String(i).padStart(12, '0')}`;
  return { record: formatCloudTrailRecord(kmsEvent({ eventId, resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', arn }] })), timeMs };
}

const byName = (arn: string) => ({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: arn }], MaxResults: 50 });

test('a sweep lets requests through between its steps, and leaves nothing older than the retention in any table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-retention-'));
  const path = join(dir, 'events.db');
  const expired = 3 * STEP_ROWS + 500;
  const cutoff = T0 + expired;
  const clock = manualClock(T0);
  const store = createEventStore({ path, encryptionKey: KEY, clock, retentionMs: HOUR, purgeIntervalMs: 0 });
  try {
    await store.appendBatch(Array.from({ length: expired + 20 }, (_, i) => event(i)));
    clock.set(cutoff + HOUR);
    // The thread's turns while the sweep runs, and an append made in the first of them.
    let turns = 0;
    let sweeping = true;
    let appendedFirst: boolean | undefined;
    const turn = () => {
      turns++;
      if (turns === 1) void store.append(event(99_999, cutoff + HOUR)).then(() => { appendedFirst = sweeping; });
      if (sweeping) setImmediate(turn);
    };
    setImmediate(turn);
    const removed = await store.purgeExpired();
    sweeping = false;
    assert.equal(removed, expired);
    assert.ok(turns >= 3, `the thread turned ${turns} times during the sweep`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(appendedFirst, true, 'the append made during the sweep was acknowledged before it ended');

    assert.equal(await store.count(), 21);
    const db = new Database(path, { readonly: true });
    try {
      for (const table of ['events', 'event_resource_names', 'event_resource_types']) {
        assert.equal(db.prepare(`SELECT COUNT(*) FROM ${table} WHERE time_ms < ?`).pluck().get(cutoff), 0, table);
      }
    } finally {
      db.close();
    }
    const oldest = (events: { EventTime: number }[]) => Math.min(...events.map((e) => e.EventTime * 1000));
    const hot = (await lookupEvents(store, byName(KEY_ARN), clock.now())).Events;
    assert.ok(hot.length > 0 && oldest(hot) >= Math.floor(cutoff / 1000) * 1000);
    const other = (await lookupEvents(store, byName(`arn:aws:kms:us-east-1:${ACCOUNT}:key/other-0`), clock.now())).Events;
    assert.ok(other.every((e) => e.EventTime * 1000 >= Math.floor(cutoff / 1000) * 1000));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sweeps asked for together run one after the other; a store closed during a sweep stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-retention-'));
  const clock = manualClock(T0 + 10 * HOUR);
  const store = createEventStore({ path: join(dir, 'events.db'), encryptionKey: KEY, clock, retentionMs: HOUR, purgeIntervalMs: 0 });
  try {
    await store.appendBatch(Array.from({ length: 2 * STEP_ROWS }, (_, i) => event(i)));
    const [first, second] = await Promise.all([store.purgeExpired(), store.purgeExpired()]);
    assert.deepEqual([first, second], [2 * STEP_ROWS, 0]);
    await store.appendBatch(Array.from({ length: 3 * STEP_ROWS }, (_, i) => event(10_000 + i)));
    const stopped = store.purgeExpired();
    await new Promise((resolve) => setImmediate(resolve));
    await store.close();
    assert.ok(await stopped < 3 * STEP_ROWS, 'stopped part-way');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the checkpoint thread copies the write-ahead log into the database file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-retention-'));
  const path = join(dir, 'events.db');
  const db = new Database(path);
  const checkpoints = createWalCheckpointer(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (randomblob(4096))');
    db.transaction(() => { for (let i = 0; i < 500; i++) insert.run(); })();
    const before = statSync(path).size;
    await checkpoints.checkpoint();
    assert.ok(statSync(path).size > before + 500 * 4096, `the database file grew from ${before} to ${statSync(path).size} bytes`);
  } finally {
    await checkpoints.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
