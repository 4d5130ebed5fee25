/**
 * The trail recorder: a call's CloudTrail record goes to the event store, then to the journal with
 * the keys that correlate it — one JSON text for both, so the journal's record is the very
 * CloudTrailEvent that LookupEvents and trail delivery serve.
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

test('the journal gets the same CloudTrailEvent text the event store holds, after the store committed it', async () => {
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(4), clock, purgeIntervalMs: 0 });
  const journaled: JournalAppend[] = [];
  const storedFirst: number[] = [];
  const journal = {
    async append(record: JournalAppend) {
      storedFirst.push(await store.lastSeq());
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
    assert.deepEqual(storedFirst, [1]);
  } finally {
    await store.close();
  }
});
