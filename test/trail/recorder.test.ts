/**
 * The trail recorder: a call's CloudTrail record goes to the journal with the keys that correlate
 * it, then to the event store — one JSON text for both, so the journal's record is the very
 * CloudTrailEvent that LookupEvents and trail delivery serve, and the store never holds an event
 * the journal could not take.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../src/lib/clock.js';
import type { JournalAppend } from '../../src/journal/index.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { KEY_ARN, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);

test('the journal gets the same CloudTrailEvent text the event store holds, before the store commits it', async () => {
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(4), clock, purgeIntervalMs: 0 });
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
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(4), clock, purgeIntervalMs: 0 });
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
