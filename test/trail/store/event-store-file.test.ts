/**
 * The event store's SQLite file deleted or replaced under the open store: appends are refused
 * (their KMS calls fail) instead of acknowledged into a file gone at the next start; reads of what
 * was stored before are still served, and the open file, copied from /proc/<pid>/fd, holds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealtrailError } from '../../../src/errors/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../../src/trail/format.js';
import { createEventStore } from '../../../src/trail/store/event-store.js';
import { kmsEvent } from '../fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);

/** The file the process still holds open at `path` after it lost its name (as an operator finds it under /proc/<pid>/fd). */
function heldOpen(path: string): string {
  const fd = readdirSync('/proc/self/fd').find((n) => {
    try { return readlinkSync(`/proc/self/fd/${n}`) === `${path} (deleted)`; } catch { return false; }
  });
  assert.ok(fd, `${path} is held open`);
  return `/proc/self/fd/${fd}`;
}

test('the event store\'s file deleted or replaced: appends and batches are refused, earlier events are still read', async () => {
  for (const how of ['deleted', 'replaced'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'sealtrail-events-moved-'));
    const path = join(dir, 'events.db');
    const clock = manualClock(T0);
    const store = createEventStore({ path, encryptionKey: new Uint8Array(32).fill(7), clock, purgeIntervalMs: 0 });
    const event = (id: string) => ({ record: formatCloudTrailRecord(kmsEvent({ eventId: id })), timeMs: T0 });
    try {
      assert.equal(await store.append(event('kept')), 1);
      // Deleted as `rm events.db*` does: its write-ahead log and shared-memory files too.
      if (how === 'deleted') for (const suffix of ['', '-wal', '-shm']) unlinkSync(path + suffix);
      else {
        writeFileSync(join(dir, 'other.db'), '');
        renameSync(join(dir, 'other.db'), path);
      }
      // Past the store's check interval: the next commit checks the file.
      clock.advance(10);
      const refused = (err: unknown) => err instanceof SealtrailError && err.code === 'storage_failed'
        && err.message.startsWith(`the CloudTrail event store ${path} was ${how} while the server runs`);
      await assert.rejects(store.append(event('lost')), refused);
      await assert.rejects(store.appendBatch([event('lost-too')]), refused);
      assert.deepEqual((await store.query({ limit: 10 })).map((e) => JSON.parse(e.json).eventID), ['kept']);
      // What docs/trails.md tells the operator: the open file, copied from /proc/<pid>/fd, holds every event.
      if (process.platform === 'linux') copyFileSync(heldOpen(path), join(dir, 'copy.db'));
    } finally {
      await store.close();
    }
    try {
      if (process.platform === 'linux') {
        const copy = createEventStore({ path: join(dir, 'copy.db'), encryptionKey: new Uint8Array(32).fill(7), clock: manualClock(T0), purgeIntervalMs: 0 });
        try {
          assert.deepEqual((await copy.query({ limit: 10 })).map((e) => JSON.parse(e.json).eventID), ['kept']);
        } finally {
          await copy.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
