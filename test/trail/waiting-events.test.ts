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
import { createJournalStore } from '../../src/journal/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { journalCompletion } from '../../src/trail/waiting-events.js';
import { kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);

test('the events the store lacks are stored from the journal in order, each once, one commit per page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-completion-'));
  const clock = manualClock(T0 + 3600_000);
  const journal = createJournalStore({ path: join(dir, 'journal.db') });
  const store = createEventStore({ path: join(dir, 'events.db'), encryptionKey: new Uint8Array(32).fill(3), clock, purgeIntervalMs: 0 });
  try {
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
  } finally {
    await store.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
