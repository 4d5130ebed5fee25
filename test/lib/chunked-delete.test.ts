/**
 * Retention sweeps delete in chunks and let the event loop through between them
 * (src/lib/chunked-delete.ts): a sweep of more than one chunk lets a callback queued after it
 * started run before it ends, and removes exactly the expired rows, on the journal and on the
 * CloudTrail event store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_ROWS, deleteInChunks } from '../../src/lib/chunked-delete.js';
import { createJournalStore, type JournalAppend } from '../../src/journal/index.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { kmsEvent } from '../trail/fixtures.js';

/** Whether a callback queued right after `run` started ran before `run` settled, and `run`'s result. */
async function interleaved<T>(run: () => Promise<T>): Promise<{ result: T; yielded: boolean }> {
  let yielded = false;
  const done = run();
  setImmediate(() => { yielded = true; });
  const result = await done;
  return { result, yielded };
}

test('deleteInChunks asks for chunks until one comes short, yielding between them', async () => {
  const asked: number[] = [];
  let left = 2 * CHUNK_ROWS + 7;
  const { result, yielded } = await interleaved(() => deleteInChunks((limit) => {
    asked.push(limit);
    const n = Math.min(limit, left);
    left -= n;
    return n;
  }));
  assert.deepEqual([result, asked.length, yielded], [2 * CHUNK_ROWS + 7, 3, true]);
  assert.deepEqual(await interleaved(() => deleteInChunks(() => 0)), { result: 0, yielded: false });
});

test('the journal\'s retention sweep removes every expired record in chunks, and no other', async () => {
  const T0 = 1_780_000_000_000n;
  let now = Number(T0) + 7_200_000;
  const store = createJournalStore({ path: ':memory:', retentionMs: 3_600_000, clock: { now: () => now } });
  try {
    const expired = 2 * CHUNK_ROWS + 500;
    const records: JournalAppend[] = Array.from({ length: expired + 10 }, (_, i) => ({
      kind: 'vault-request', timeNs: (i < expired ? T0 + BigInt(i) : BigInt(now)) * 1_000_000n, text: `{"i":${i}}`, keys: { requestId: `r${i}` },
    }));
    await Promise.all(records.map((r) => store.append(r)));
    const { result, yielded } = await interleaved(() => store.purgeExpired());
    assert.deepEqual([result, yielded, await store.count()], [expired, true, 10]);
    now += 1;
    assert.equal(await store.purgeExpired(), 0);
  } finally {
    await store.close();
  }
});

test('the CloudTrail event store\'s retention sweep removes every expired event and its resource rows in chunks', async () => {
  const T0 = 1_780_000_000_000;
  let now = T0;
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(7), clock: { now: () => now } as never, retentionMs: 60_000, purgeIntervalMs: 0 });
  try {
    const expired = CHUNK_ROWS + 200;
    for (let i = 0; i < expired + 5; i++) {
      await store.append({ record: formatCloudTrailRecord(kmsEvent({ eventId: `e${i}` })), timeMs: i < expired ? T0 : T0 + 120_000 });
    }
    now = T0 + 120_000;
    const { result, yielded } = await interleaved(() => store.purgeExpired());
    assert.deepEqual([result, yielded, await store.count()], [expired, true, 5]);
  } finally {
    await store.close();
  }
});
