/**
 * The event store's deferred indexing: an append is acknowledged once its row is committed to the
 * event log; the indexed tables follow later, and every read (LookupEvents, trail delivery's
 * readSince, counts, retention) catches up with every acknowledged event before answering. A
 * process killed after acknowledging events leaves every one of them queryable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { manualClock } from '../../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../../src/trail/format.js';
import { createEventStore } from '../../../src/trail/store/event-store.js';
import { ROWS_PER_INDEX_COMMIT } from '../../../src/trail/store/deferred-indexing.js';
import { PAGE_BYTES } from '../../../src/trail/store/schema.js';
import { lookupEvents } from '../../../src/trail/lookup/lookup-events.js';
import type { EventStore } from '../../../src/trail/store/types.js';
import { KEY_ARN, KEY_ID, kmsEvent } from '../fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);
const KEY = new Uint8Array(32).fill(7);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Rows in the log and in the indexed tables, read by a second connection (as after a crash). */
function rowCounts(path: string): { logged: number; events: number; names: number } {
  const db = new Database(path, { readonly: true });
  try {
    const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    return { logged: count('event_log'), events: count('events'), names: count('event_resource_names') };
  } finally {
    db.close();
  }
}

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'trail-event-log-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const append = (store: EventStore, i: number) =>
  store.append({ record: formatCloudTrailRecord(kmsEvent({ eventId: `event-${i}`, eventTime: T0 + i })), timeMs: T0 + i });

test('an acknowledged event waits in the log; LookupEvents catches the index up before answering', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const store = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0 + 60_000), purgeIntervalMs: 0 });
    try {
      const seqs = await Promise.all([0, 1, 2].map((i) => append(store, i)));
      assert.deepEqual(seqs, [1, 2, 3]);
      assert.deepEqual(rowCounts(path), { logged: 3, events: 0, names: 0 });
      const found = await lookupEvents(store, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEY_ID }] });
      assert.deepEqual(found.Events.map((e) => e.EventId), ['event-2', 'event-1', 'event-0']);
      // Each event is in exactly one table, with its resource name rows (the ARN and the key id).
      assert.deepEqual(rowCounts(path), { logged: 0, events: 3, names: 6 });
      const byArn = await lookupEvents(store, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEY_ARN }] });
      assert.equal(byArn.Events.length, 3);
    } finally {
      await store.close();
    }
  });
});

test('trail delivery reads every event in seq order, across several indexing transactions', async () => {
  const store = createEventStore({ path: ':memory:', encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
  try {
    const n = ROWS_PER_INDEX_COMMIT + 500;
    const seqs = await Promise.all(Array.from({ length: n }, (_, i) => append(store, i)));
    assert.equal(await store.lastSeq(), n);
    const rows = await store.readSince(0, n + 10);
    assert.deepEqual(rows.map((r) => r.seq), seqs);
    assert.deepEqual(rows.map((r) => (JSON.parse(r.json) as { eventID: string }).eventID), seqs.map((_, i) => `event-${i}`));
    assert.equal(await store.count(), n);
  } finally {
    await store.close();
  }
});

test('a bulk load after logged appends keeps seqs in order, with nothing left in the log', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const store = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    try {
      await Promise.all([0, 1].map((i) => append(store, i)));
      await store.appendBatch([2, 3].map((i) => ({ record: formatCloudTrailRecord(kmsEvent({ eventId: `event-${i}` })), timeMs: T0 + i })));
      assert.equal(rowCounts(path).logged, 0);
      assert.equal(await append(store, 4), 5);
      const rows = await store.readSince(0, 10);
      assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(rows.map((r) => (JSON.parse(r.json) as { eventID: string }).eventID), [0, 1, 2, 3, 4].map((i) => `event-${i}`));
    } finally {
      await store.close();
    }
  });
});

test('with the thread idle, the log is indexed without a query', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const store = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    try {
      await Promise.all([0, 1, 2, 3].map((i) => append(store, i)));
      const deadline = Date.now() + 5_000;
      while (rowCounts(path).logged > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(rowCounts(path), { logged: 0, events: 4, names: 8 });
    } finally {
      await store.close();
    }
  });
});

test('a reopened store indexes what its previous process logged and never reuses a seq', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const first = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    await Promise.all([0, 1, 2].map((i) => append(first, i)));
    await first.close();
    assert.equal(rowCounts(path).logged, 3);
    const second = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    try {
      assert.equal(await second.lastSeq(), 3);
      assert.equal(await append(second, 3), 4);
      assert.deepEqual((await second.readSince(0, 10)).map((r) => r.seq), [1, 2, 3, 4]);
    } finally {
      await second.close();
    }
  });
});

test('a store whose retention purged every event never reuses a seq after reopening', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const first = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0 + 365 * 86_400_000), purgeIntervalMs: 0 });
    await Promise.all([0, 1, 2].map((i) => append(first, i)));
    assert.equal(await first.purgeExpired(), 3);
    assert.equal(await first.count(), 0);
    await first.close();
    const second = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    try {
      assert.equal(await second.lastSeq(), 3);
      assert.equal(await append(second, 3), 4);
      // A trail's cursor at 3 (the last event it delivered before the purge) still sees the new event.
      assert.deepEqual((await second.readSince(3, 10)).map((r) => r.seq), [4]);
    } finally {
      await second.close();
    }
  });
});

test('a batch whose commit fails is refused whole; later appends and reads go on without it', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const store = createEventStore({ path, encryptionKey: KEY, clock: manualClock(T0 + 60_000), purgeIntervalMs: 0 });
    const other = new Database(path);
    try {
      assert.equal(await append(store, 0), 1);
      // Another connection holds the write lock past SQLite's busy timeout (5 s): the commit fails.
      other.exec('BEGIN IMMEDIATE');
      const refused = await Promise.allSettled([1, 2].map((i) => append(store, i)));
      assert.deepEqual(refused.map((r) => r.status), ['rejected', 'rejected']);
      other.exec('ROLLBACK');
      const seq = await append(store, 3);
      assert.ok(seq > 1);
      const found = await lookupEvents(store, {});
      assert.deepEqual(found.Events.map((e) => e.EventId), ['event-3', 'event-0']);
      assert.deepEqual((await store.readSince(0, 10)).map((r) => r.seq), [1, seq]);
      assert.equal(rowCounts(path).logged, 0);
    } finally {
      other.close();
      await store.close();
    }
  });
});

test('SIGKILL after acknowledged appends: every acknowledged event is queryable after reopening, none twice', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'events.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/trail/store/append-until-killed.ts', path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const acknowledged = new Map<number, string>();
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${acknowledged.size} appends acknowledged in 30 s`)), 30_000);
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const lines = out.split('\n');
          out = lines.pop() ?? '';
          for (const line of lines) {
            const [seq, id] = line.split(' ');
            acknowledged.set(Number(seq), id);
          }
          if (acknowledged.size >= 500) {
            clearTimeout(timer);
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', () => { clearTimeout(timer); resolve(); });
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    assert.equal(child.signalCode, 'SIGKILL');
    const before = rowCounts(path);
    assert.ok(before.logged > 0, 'the killed process left events in its log');
    const store = createEventStore({ path, encryptionKey: KEY, clock: manualClock(Date.now()), purgeIntervalMs: 0 });
    try {
      const rows = await store.readSince(0, 100_000);
      const stored = new Map(rows.map((r) => [r.seq, (JSON.parse(r.json) as { eventID: string }).eventID]));
      assert.equal(stored.size, rows.length);
      assert.equal(new Set(stored.values()).size, rows.length, 'no event twice');
      for (const [seq, id] of acknowledged) assert.equal(stored.get(seq), id, `acknowledged event ${seq}`);
      const last = [...acknowledged.keys()].at(-1)!;
      const one = await lookupEvents(store, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: acknowledged.get(last)! }] });
      assert.equal(one.Events.length, 1);
      assert.deepEqual(rowCounts(path).logged, 0);
    } finally {
      await store.close();
    }
  });
});

test('a new store has 16 KiB pages; a store made with 4 KiB pages keeps them and its events', async () => {
  await withDir(async (dir) => {
    const pageSize = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    const fresh = join(dir, 'fresh.db');
    const store = createEventStore({ path: fresh, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    await append(store, 0);
    await store.close();
    assert.equal(pageSize(fresh), PAGE_BYTES);
    assert.equal(PAGE_BYTES, 16_384);

    // An existing database made with SQLite's default page size.
    const old = join(dir, 'old.db');
    const before = new Database(old);
    before.pragma('page_size = 4096');
    before.pragma('journal_mode = WAL');
    before.close();
    const first = createEventStore({ path: old, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    await Promise.all([0, 1].map((i) => append(first, i)));
    await first.close();
    const second = createEventStore({ path: old, encryptionKey: KEY, clock: manualClock(T0), purgeIntervalMs: 0 });
    try {
      assert.deepEqual((await second.readSince(0, 10)).map((r) => r.seq), [1, 2]);
    } finally {
      await second.close();
    }
    assert.equal(pageSize(old), 4096);
  });
});
