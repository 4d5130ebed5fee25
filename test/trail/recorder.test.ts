/**
 * The trail recorder: a call's CloudTrail record goes to the journal with the keys that correlate
 * it, then to the event store — one JSON text for both, so the journal's record is the very
 * CloudTrailEvent that LookupEvents and trail delivery serve, and the store never holds an event
 * the journal could not take.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualClock } from '../../src/lib/clock.js';
import type { JournalAppend } from '../../src/journal/index.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder, MAX_PENDING_EVENTS } from '../../src/trail/recorder.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { KEY_ARN, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);

/** A real event store in memory. */
const memoryStore = (clock: ReturnType<typeof manualClock>) => createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(4), clock, purgeIntervalMs: 0 });

test('the journal gets the same CloudTrailEvent text the event store holds, before the store commits it', async () => {
  const clock = manualClock(T0);
  const store = memoryStore(clock);
  const journaled: JournalAppend[] = [];
  const storedBefore: number[] = [];
  const journal = {
    async append(record: JournalAppend) {
      storedBefore.push(await store.lastSeq());
      journaled.push(record);
    },
  };
  try {
    const recorder = createTrailRecorder({ store: () => store, journal, clock });
    const event = kmsEvent({ eventId: 'evt-same-text', eventTime: T0, requestId: 'req-1' });
    await recorder.record(event);
    const [stored] = await store.readSince(0, 10);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0].kind, 'cloudtrail');
    assert.equal(journaled[0].text, stored.json);
    assert.equal(stored.json, JSON.stringify(formatCloudTrailRecord(event)));
    assert.equal(journaled[0].keys.requestId, 'req-1');
    assert.equal(journaled[0].keys.keyArn, KEY_ARN);
    assert.deepEqual(storedBefore, [0]);
    assert.equal(await store.lastSeq(), 1);
  } finally {
    await store.close();
  }
});

test('a record the journal cannot take fails the call and leaves no event in the store', async () => {
  const clock = manualClock(T0);
  const store = memoryStore(clock);
  const full = Object.assign(new Error('the journal could not write its spool (ENOSPC)'), { code: 'ENOSPC' });
  const journal = { append: async () => { throw full; } };
  try {
    const recorder = createTrailRecorder({ store: () => store, journal, clock });
    await assert.rejects(recorder.record(kmsEvent({ eventId: 'evt-refused', eventTime: T0, requestId: 'req-refused' })), (err) => err === full);
    assert.equal(await store.count(), 0);
    assert.deepEqual(await store.readSince(0, 10), []);
  } finally {
    await store.close();
  }
});

/** An event store whose writes fail while `down` is set; reads and everything else are the real store's. */
function flakyStore(clock: ReturnType<typeof manualClock>) {
  const store = memoryStore(clock);
  const state = { down: false };
  const append = store.append.bind(store);
  store.append = async (input) => {
    if (state.down) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    return append(input);
  };
  return { store, state };
}

const storedIds = async (store: ReturnType<typeof createEventStore>) => (await store.readSince(0, 100)).map((e) => JSON.parse(e.json).eventID as string);
const isStoreDown = (err: unknown) => (err as { code?: string }).code === 'event_store_unavailable';

test('with the journal, an event the store cannot take waits, the call is answered, and the store gets it back in order', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  const journaled: JournalAppend[] = [];
  const episodes: string[] = [];
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async (r: JournalAppend) => { journaled.push(r); } }, clock,
    onStoreFailing: () => episodes.push('failing'), onStoreRecovered: () => episodes.push('recovered'),
  });
  try {
    state.down = true;
    // The call took effect (a key created): its event is in the journal and waits for the store.
    await recorder.record(kmsEvent({ eventId: 'evt-1', eventName: 'CreateKey' }));
    await recorder.record(kmsEvent({ eventId: 'evt-2', eventName: 'DisableKey' }));
    assert.equal(recorder.pending(), 2);
    assert.equal(journaled.length, 2);
    recorder.admit(); // calls go on: the journal holds their events
    // A failed call's event waits too (CloudTrail records refusals), below the bound.
    await recorder.record(kmsEvent({ eventId: 'evt-refused', errorCode: 'NotFoundException' }));
    assert.equal(recorder.pending(), 3);
    assert.deepEqual(await storedIds(store), []);
    state.down = false;
    // The next event waits behind the earlier ones: none overtakes another.
    await recorder.record(kmsEvent({ eventId: 'evt-3', eventName: 'Encrypt' }));
    assert.deepEqual(await storedIds(store), ['evt-1', 'evt-2', 'evt-refused', 'evt-3']);
    assert.equal(recorder.pending(), 0);
    assert.deepEqual(episodes, ['failing', 'recovered'], 'told once per episode');
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('waiting events are retried on their own; closing offers them once more and counts what is lost', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  const told: string[] = [];
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async () => undefined }, clock,
    onStoreFailing: () => told.push('failing'), onStoreRecovered: () => told.push('recovered'),
  });
  try {
    state.down = true;
    await recorder.record(kmsEvent({ eventId: 'evt-retried' }));
    state.down = false;
    // No further call: the retry timer (every second) stores it.
    const deadline = Date.now() + 5000;
    while (recorder.pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await storedIds(store), ['evt-retried']);
    state.down = true;
    await recorder.record(kmsEvent({ eventId: 'evt-lost' }));
    assert.equal(await recorder.close(), 1);
    // Closed, it tells nothing more: no retry ends an episode it no longer holds.
    await new Promise((r) => setTimeout(r, 1200));
    assert.deepEqual(told, ['failing', 'recovered', 'failing']);
  } finally {
    await store.close();
  }
});

test('while the store refuses, a call tries it with one waiting event, not with every one; the first that gets in stores them all', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  let attempts = 0;
  const append = store.append.bind(store);
  store.append = async (input) => { attempts++; return append(input); };
  const recorder = createTrailRecorder({ store: () => store, journal: { append: async () => undefined }, clock });
  try {
    state.down = true;
    for (let i = 0; i < 50; i++) await recorder.record(kmsEvent({ eventId: `evt-${i}` }));
    attempts = 0;
    await recorder.record(kmsEvent({ eventId: 'evt-50' }));
    // The call's one, and at most one more if the once-a-second retry came meanwhile.
    assert.ok(attempts >= 1 && attempts <= 2, `${attempts} appends tried for 51 waiting events`);
    state.down = false;
    await recorder.record(kmsEvent({ eventId: 'evt-51' }));
    assert.equal(recorder.pending(), 0);
    assert.deepEqual(await storedIds(store), Array.from({ length: 52 }, (_, i) => `evt-${i}`));
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('without the journal, the store is the event\'s only home: the call fails, later calls are refused before they act, and the event still lands', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  const recorder = createTrailRecorder({ store: () => store, clock });
  try {
    recorder.admit();
    state.down = true;
    // It acted before its event could be stored: the caller is told it failed, and the event waits.
    await assert.rejects(recorder.record(kmsEvent({ eventId: 'evt-acted' })), isStoreDown);
    assert.throws(() => recorder.admit(), isStoreDown);
    // The refused call's own event waits too (CloudTrail records refusals).
    await assert.rejects(recorder.record(kmsEvent({ eventId: 'evt-refused', errorCode: 'ServiceUnavailableException' })), isStoreDown);
    state.down = false;
    await recorder.record(kmsEvent({ eventId: 'evt-next' }));
    assert.deepEqual(await storedIds(store), ['evt-acted', 'evt-refused', 'evt-next']);
    recorder.admit();
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('with the journal, calls are refused before they act once the most events wait; refusals past that are completed from the journal after', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  const restores: Array<number | undefined> = [];
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async () => undefined }, clock,
    completion: { start: async (sinceMs) => { restores.push(sinceMs); return 0; }, indexed: async () => true, restore: async () => 0 },
  });
  try {
    state.down = true;
    for (let i = 0; i < MAX_PENDING_EVENTS; i++) {
      recorder.admit();
      await recorder.record(kmsEvent({ eventId: `evt-${i}` }));
    }
    assert.throws(() => recorder.admit(), isStoreDown);
    // The refusal's own event: past the bound, the journal's only for now.
    await recorder.record(kmsEvent({ eventId: 'evt-refused', eventTime: T0 + 5, errorCode: 'ServiceUnavailableException' }));
    assert.equal(recorder.pending(), MAX_PENDING_EVENTS);
    state.down = false;
    await recorder.record(kmsEvent({ eventId: 'evt-last' }));
    assert.equal(await store.count(), MAX_PENDING_EVENTS + 1);
    recorder.admit();
    // Once the waiting ones are in, the store is completed from the journal from that refusal on.
    const deadline = Date.now() + 5000;
    while (restores.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(restores, [undefined, T0 + 5]);
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('refusals past the bound start an episode even when the store only lags, so the journal marks where a later start completes from', async () => {
  const clock = manualClock(T0);
  const store = memoryStore(clock);
  // A store that takes events, slowly: nothing refuses, but the first commit does not return yet.
  const append = store.append.bind(store);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  store.append = async (input) => {
    await gate;
    return append(input);
  };
  const episodes: string[] = [];
  const restores: Array<number | undefined> = [];
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async () => undefined }, clock,
    completion: { start: async (sinceMs) => { restores.push(sinceMs); return 0; }, indexed: async () => true, restore: async () => 0 },
    onStoreFailing: (err) => episodes.push(`failing ${(err as NodeJS.ErrnoException).code}`),
    onStoreRecovered: () => episodes.push('recovered'),
  });
  try {
    const calls: Promise<void>[] = [];
    for (let i = 0; i < MAX_PENDING_EVENTS; i++) calls.push(recorder.record(kmsEvent({ eventId: `evt-${i}` })));
    while (recorder.pending() < MAX_PENDING_EVENTS) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(episodes, []);
    await recorder.record(kmsEvent({ eventId: 'evt-refused', eventTime: T0 + 5, errorCode: 'ServiceUnavailableException' }));
    assert.deepEqual(episodes, ['failing event_store_behind']);
    open();
    await Promise.all(calls);
    const deadline = Date.now() + 5000;
    while (episodes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(episodes, ['failing event_store_behind', 'recovered']);
    assert.deepEqual(restores, [undefined, T0 + 5]);
  } finally {
    open();
    await recorder.close();
    await store.close();
  }
});

test('the store is completed from the journal at the start, before it takes a new event', async () => {
  const clock = manualClock(T0);
  const { store, state } = flakyStore(clock);
  // What the journal holds that the store lacks: the events a stopped process left waiting.
  const journaled = [kmsEvent({ eventId: 'evt-left-1' }), kmsEvent({ eventId: 'evt-left-2' })];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const restores: Array<number | undefined> = [];
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async () => undefined }, clock,
    completion: {
      start: async (sinceMs) => { restores.push(sinceMs); return 0; },
      indexed: async () => true,
      restore: async (_from, _until, isWaiting) => {
        await gate;
        let n = 0;
        for (const e of journaled.splice(0)) {
          if (isWaiting(e.eventId)) continue;
          await store.append({ record: formatCloudTrailRecord(e), timeMs: e.eventTime });
          n++;
        }
        return n;
      },
    },
  });
  try {
    // Recorded while the completion runs: the call waits, its event stored after the completion's.
    const recorded = recorder.record(kmsEvent({ eventId: 'evt-new' }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await storedIds(store), []);
    release();
    await recorded;
    assert.deepEqual(await storedIds(store), ['evt-left-1', 'evt-left-2', 'evt-new'], 'in order, none twice');
    assert.deepEqual(restores, [undefined]);
  } finally {
    await recorder.close();
    await store.close();
  }
  void state;
});

test("a journal whose index cannot catch up holds calls a while, not for ever, and no event enters the store ahead of the completion", async () => {
  const clock = manualClock(T0);
  const { store } = flakyStore(clock);
  let indexedCalls = 0;
  const recorder = createTrailRecorder({
    store: () => store, journal: { append: async () => undefined }, clock, holdMs: 500,
    completion: {
      start: async () => 0,
      // A lost journal database: never indexed. Each wait lasts its timeout.
      indexed: async () => { indexedCalls++; await new Promise((r) => setTimeout(r, 100)); return false; },
      restore: async () => assert.fail('nothing to restore before the journal is indexed'),
    },
  });
  try {
    const started = Date.now();
    const recorded = recorder.record(kmsEvent({ eventId: 'evt-held' }));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await storedIds(store), [], 'held while the store is completed');
    await recorded;
    // Timers count from the event loop's cached time, which can be older than `started`: a few ms early.
    assert.ok(Date.now() - started >= 450, `the call waited for the hold (${Date.now() - started} ms)`);
    // Answered (the journal holds its event), which waits behind the completion: the store stays
    // in recorded order, so a stop now leaves the next start all it must complete.
    assert.deepEqual(await storedIds(store), []);
    assert.equal(recorder.pending(), 1);
    // It keeps asking; a loaded machine, whose 100 ms waits run late, asks fewer times within the hold.
    for (const end = Date.now() + 5000; indexedCalls < 5 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    assert.ok(indexedCalls >= 5, `the index was asked ${indexedCalls} times`);
    assert.equal(await recorder.close(), 1, 'closing stores nothing ahead of the unfinished completion');
    assert.deepEqual(await storedIds(store), []);
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('the events of calls answered together go to the store in one commit', async () => {
  const clock = manualClock(T0);
  const store = memoryStore(clock);
  // The store commits the appends of one synchronous run together: every append asked for before
  // the first resolves shares its transaction.
  const append = store.append.bind(store);
  let asked = 0;
  let askedWhenFirstStored: number | undefined;
  store.append = (input) => {
    asked++;
    return append(input).then((seq) => {
      askedWhenFirstStored ??= asked;
      return seq;
    });
  };
  const recorder = createTrailRecorder({ store: () => store, clock });
  try {
    const ids = Array.from({ length: 16 }, (_, i) => `evt-together-${i}`);
    await Promise.all(ids.map((eventId) => recorder.record(kmsEvent({ eventId }))));
    assert.equal(askedWhenFirstStored, 16, 'one commit, not one per event');
    assert.deepEqual(await storedIds(store), ids);
  } finally {
    await recorder.close();
    await store.close();
  }
});

test('a call waits for its own event\'s commit, not for the events recorded after it', async () => {
  const clock = manualClock(T0);
  const store = memoryStore(clock);
  // A store whose commits take a few milliseconds, as a round trip to PostgreSQL does.
  const append = store.append.bind(store);
  store.append = async (input) => {
    await new Promise((resolve) => setTimeout(resolve, 3));
    return append(input);
  };
  const recorder = createTrailRecorder({ store: () => store, clock });
  let streaming = true;
  let n = 0;
  const stream = (async () => {
    const started = Date.now();
    while (Date.now() - started < 400) {
      void recorder.record(kmsEvent({ eventId: `evt-later-${n++}` }));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    streaming = false;
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await recorder.record(kmsEvent({ eventId: 'evt-mine' }));
    assert.equal(streaming, true, 'answered while later events still arrive');
    await stream;
    while (recorder.pending() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const stored = (await store.readSince(0, 10_000)).map((e) => JSON.parse(e.json).eventID as string);
    assert.equal(stored.length, n + 1);
    assert.equal(new Set(stored).size, stored.length, 'each event once');
  } finally {
    await stream;
    await recorder.close();
    await store.close();
  }
});

test('a call recorded while the recorder closes is stored once, or left to the journal, never twice', async () => {
  for (const withJournal of [true, false]) {
    const clock = manualClock(T0);
    const dir = mkdtempSync(join(tmpdir(), 'sealtrail-recorder-close-'));
    const store = createEventStore({ path: join(dir, 'events.db'), encryptionKey: new Uint8Array(32).fill(4), clock, purgeIntervalMs: 0 });
    const journaled: string[] = [];
    const journal = withJournal ? { append: async (r: JournalAppend) => { journaled.push(r.text); } } : undefined;
    const recorder = createTrailRecorder({ store: () => store, clock, ...(journal ? { journal } : {}) });
    try {
      const a = recorder.record(kmsEvent({ eventId: 'evt-A' }));
      // The drain has taken A; its commit is on the next tick. Then a seal or stop begins, and
      // another call still in flight records its event.
      await new Promise((resolve) => process.nextTick(resolve));
      const closing = recorder.close();
      await Promise.resolve();
      const b = recorder.record(kmsEvent({ eventId: 'evt-B' }));
      const [ra, rb, rc] = await Promise.allSettled([a, b, closing]);
      assert.equal(ra.status, 'fulfilled');
      assert.equal(rc.status, 'fulfilled');
      const stored = await storedIds(store);
      assert.equal(new Set(stored).size, stored.length, 'each event once');
      assert.equal(await store.count(), stored.length, 'the store indexes what it holds');
      if (rb.status === 'fulfilled' && !stored.includes('evt-B')) {
        // Answered without being stored: only when the journal holds it for the next start.
        assert.equal(withJournal, true, 'without the journal an event not stored fails its call');
        assert.equal(journaled.filter((t) => t.includes('evt-B')).length, 1);
      }
      if (rb.status === 'rejected') assert.equal(isStoreDown(rb.reason), true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('without the journal, a call whose event a failing store could not take before the recorder closed fails, however the two interleave', async () => {
  for (let k = 0; k <= 12; k++) {
    const clock = manualClock(T0);
    const { store, state } = flakyStore(clock);
    state.down = true;
    const recorder = createTrailRecorder({ store: () => store, clock });
    try {
      const a = recorder.record(kmsEvent({ eventId: 'evt-A' }));
      await new Promise((resolve) => process.nextTick(resolve));
      const b = recorder.record(kmsEvent({ eventId: 'evt-B' }));
      for (let i = 0; i < k; i++) await Promise.resolve();
      const closing = recorder.close();
      const [ra, rb] = await Promise.allSettled([a, b]);
      assert.equal(await closing, 2, `k=${k}`);
      for (const r of [ra, rb]) assert.equal(r.status === 'rejected' && isStoreDown(r.reason), true, `k=${k}: a call whose event is lost is told so`);
    } finally {
      await store.close();
    }
  }
});
