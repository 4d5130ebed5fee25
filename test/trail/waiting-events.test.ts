/**
 * Completing the event store from the journal (waiting-events.ts): the CloudTrail records the
 * journal holds and the store lacks are stored in the journal's order, each once, a page at a
 * time — one lookup in the store and one commit per page, not one of each per event (a start
 * after a busy minute looks at every event of that minute again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournalStore, serverEvents, type JournalStore } from '../../src/journal/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder, MAX_PENDING_EVENTS } from '../../src/trail/recorder.js';
import { journalCompletion } from '../../src/trail/waiting-events.js';
import { kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);

/** A journal and an event store in a temporary directory, on a manual clock from `startMs`; closed and removed after `run`. */
async function withStores(startMs: number, run: (s: { clock: ReturnType<typeof manualClock>; journal: JournalStore; store: ReturnType<typeof createEventStore> }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-completion-'));
  const clock = manualClock(startMs);
  const journal = createJournalStore({ path: join(dir, 'journal.db') });
  const store = createEventStore({ path: join(dir, 'events.db'), encryptionKey: new Uint8Array(32).fill(3), clock, purgeIntervalMs: 0 });
  try {
    await run({ clock, journal, store });
  } finally {
    await store.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The journal's server events, as the server records them, with a way to wait until they are written. */
function trackedEvents(journal: JournalStore, clock: ReturnType<typeof manualClock>) {
  const appends: Promise<void>[] = [];
  const events = serverEvents({ append: (r) => { const p = journal.append(r); appends.push(p); return p; } }, clock, (err) => assert.fail(String(err)));
  return { events, written: async () => { await Promise.all(appends); assert.equal(await journal.caughtUp(30_000), true); } };
}

test('the events the store lacks are stored from the journal in order, each once, one commit per page', async () => {
  await withStores(T0 + 3600_000, async ({ clock, journal, store }) => {
    const ids = Array.from({ length: 2500 }, (_, i) => `evt-${String(i).padStart(4, '0')}`);
    const records = ids.map((eventId, i) => formatCloudTrailRecord(kmsEvent({ eventId, eventTime: T0 + i })));
    for (const [i, record] of records.entries()) {
      await journal.append({ kind: 'cloudtrail', timeNs: BigInt(T0 + i) * 1_000_000n, text: JSON.stringify(record), keys: { requestId: record.requestID } });
    }
    assert.equal(await journal.caughtUp(30_000), true);
    // The store already holds some (one of them still in its unindexed log), and one event waits in the recorder.
    const held = new Set(['evt-0000', 'evt-0999', 'evt-1000', 'evt-2499']);
    await store.appendBatch(records.filter((r) => held.has(r.eventID) && r.eventID !== 'evt-2499').map((record) => ({ record, timeMs: T0 })));
    await store.append({ record: records[2499], timeMs: T0 });
    const waiting = 'evt-1500';

    // Appends made in one synchronous run are one commit (the store's contract): count the runs.
    const append = store.append.bind(store);
    let runs = 0;
    let inRun = false;
    store.append = (input) => {
      if (!inRun) {
        inRun = true;
        runs++;
        queueMicrotask(() => { inRun = false; });
      }
      return append(input);
    };
    const completion = journalCompletion({ journal, store, retentionMs: 90 * 86_400_000, now: () => clock.now(), signal: new AbortController().signal });
    const stored = await completion.restore(T0, T0 + 2500, (id) => id === waiting);

    assert.equal(stored, 2500 - held.size - 1);
    assert.equal(runs, 3, 'one commit for each page of 1,000 journal records');
    const inStore = (await store.readSince(0, 5000)).map((e) => JSON.parse(e.json).eventID as string);
    assert.equal(new Set(inStore).size, inStore.length, 'each event once');
    assert.deepEqual(inStore.slice(held.size), ids.filter((id) => !held.has(id) && id !== waiting), 'in the journal\'s order');
    // Done again (a start after a crash in the middle), it adds nothing.
    assert.equal(await completion.restore(T0, T0 + 2500, (id) => id === waiting), 0);
  });
});

test('a start after a crash during an episode completes the store from the episode\'s start, then ends the episode', async () => {
  await withStores(T0, async ({ clock, journal, store }) => {
    const down = { on: false };
    const append = store.append.bind(store);
    store.append = async (input) => {
      if (down.on) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return append(input);
    };
    const { events, written } = trackedEvents(journal, clock);
    /** One process's recorder, wired as the server wires it (app/wiring.ts). */
    const start = () => {
      const stop = new AbortController();
      const recorder = createTrailRecorder({
        store: () => store, journal, clock,
        completion: journalCompletion({ journal, store, retentionMs: 90 * 86_400_000, now: () => clock.now(), signal: stop.signal, events }),
        onStoreFailing: () => events.record('event_store_failing'),
        onStoreRecovered: () => events.record('event_store_recovered'),
      });
      return { recorder, crash: async () => { stop.abort(); await recorder.close(); } };
    };
    const inStore = async () => new Set((await store.readSince(0, MAX_PENDING_EVENTS + 10)).map((e) => JSON.parse(e.json).eventID as string));
    const a = start();
    // The store fails: calls go on while their events wait, up to the bound.
    down.on = true;
    for (let i = 0; i < MAX_PENDING_EVENTS; i += 1000) {
      a.recorder.admit();
      await Promise.all(Array.from({ length: 1000 }, (_, j) => a.recorder.record(kmsEvent({ eventId: `evt-${i + j}`, eventTime: T0 + 1 }))));
    }
    assert.throws(() => a.recorder.admit());
    // A refused call's event past the bound: the journal's only.
    clock.advance(5);
    await a.recorder.record(kmsEvent({ eventId: 'evt-refused', eventTime: clock.now(), errorCode: 'ServiceUnavailableException' }));
    // Minutes later the store comes back: the waiting events and a new one are stored, and the
    // process dies before its completion from the journal stores the refusal's event.
    clock.advance(300_000);
    down.on = false;
    await a.recorder.record(kmsEvent({ eventId: 'evt-later', eventTime: clock.now() }));
    await a.crash();
    await written();
    assert.equal((await inStore()).has('evt-later'), true);
    assert.equal((await inStore()).has('evt-refused'), false, 'the crash came first');

    // The next start finds the episode open in the journal and completes the store from its start.
    clock.advance(1000);
    const b = start();
    await b.recorder.record(kmsEvent({ eventId: 'evt-next', eventTime: clock.now() }));
    const stored = await inStore();
    assert.equal(stored.has('evt-refused'), true, 'the refusal\'s event is stored from the journal');
    assert.equal(stored.size, MAX_PENDING_EVENTS + 3);
    await b.crash();
    await written();
    // That completion ended the episode in the journal: the start after it looks from the store's newest event again.
    const [end] = await journal.query({ kinds: ['server'], keys: { operation: 'event_store_recovered' }, order: 'desc', limit: 1 });
    assert.equal(JSON.parse(end.text).details.stored_from_journal, 1);
    const completion = journalCompletion({ journal, store, retentionMs: 90 * 86_400_000, now: () => clock.now(), signal: new AbortController().signal });
    assert.equal(await completion.start(undefined), clock.now() - 60_000);
  });
});

test('a start looks from the newest event store episode the journal holds no end for, if it is older than the newest event', async () => {
  await withStores(T0, async ({ clock, journal, store }) => {
    const { events, written } = trackedEvents(journal, clock);
    const completion = journalCompletion({ journal, store, retentionMs: 86_400_000, now: () => clock.now(), signal: new AbortController().signal });
    const startAt = async () => {
      await written();
      return completion.start(undefined);
    };
    await store.append({ record: formatCloudTrailRecord(kmsEvent({ eventId: 'evt-newest', eventTime: T0 + 600_000 })), timeMs: T0 + 600_000 });
    assert.equal(await startAt(), T0 + 600_000 - 60_000, 'no episode: from the newest event');
    events.record('event_store_failing');
    clock.advance(100);
    events.record('event_store_recovered');
    assert.equal(await startAt(), T0 + 600_000 - 60_000, 'an ended episode changes nothing');
    clock.advance(100);
    events.record('event_store_failing');
    assert.equal(await startAt(), T0 + 200 - 60_000, 'from the open episode\'s start');
    // Imported server records are another server's: they open nothing here.
    clock.set(T0 + 900_000);
    events.record('event_store_recovered');
    await journal.importBatch([{ kind: 'server', timeNs: BigInt(T0 + 950_000) * 1_000_000n, text: '{"event":"event_store_failing"}', keys: { operation: 'event_store_failing', outcome: 'failure' }, origin: { file: 'other.jsonl', line: 1 } }]);
    assert.equal(await startAt(), T0 + 600_000 - 60_000);
    // Never before the retention.
    clock.set(T0 + 2 * 86_400_000);
    events.record('event_store_failing');
    clock.advance(10);
    assert.equal(await startAt(), clock.now() - 86_400_000);
  });
});
