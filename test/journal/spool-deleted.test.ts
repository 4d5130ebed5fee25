/**
 * The journal's files deleted or replaced while the store runs: the spool segment being written
 * is put back under its name with every acknowledged record (by a later batch, by the idle check,
 * at close), a batch that cannot be given a name is refused, and a deleted database is reported by
 * the indexer, which indexes nothing into it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournalStore, spoolDirectory, type IndexerMessage, type JournalAppend, type JournalStore } from '../../src/journal/index.js';
import { listSegments, segmentPath } from '../../src/journal/spool/segments.js';

const T0 = 1_780_000_000_000_000_000n;

const record = (i: number): JournalAppend => ({ kind: 'vault-response', timeNs: T0 + BigInt(i), text: JSON.stringify({ i }), keys: { requestId: `req-${i}` } });

interface Rig { dir: string; path: string; spool: string; messages: IndexerMessage[]; open(): JournalStore }

async function withRig(fn: (rig: Rig) => Promise<void>, fsync = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-spool-deleted-'));
  const path = join(dir, 'journal.db');
  const messages: IndexerMessage[] = [];
  try {
    await fn({ dir, path, spool: spoolDirectory(path), messages, open: () => createJournalStore({ path, spool: true, fsync, indexerNice: 0, onIndexer: (m) => messages.push(m) }) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const appendRange = (store: JournalStore, from: number, to: number) => Promise.all(Array.from({ length: to - from }, (_, i) => store.append(record(from + i))));
const currentSegment = (spool: string) => segmentPath(spool, listSegments(spool).at(-1)!);

/** The request ids a fresh start of the store finds once it has indexed the spool. */
async function indexedAfterRestart(rig: Rig): Promise<string[]> {
  const store = rig.open();
  try {
    assert.equal(await store.caughtUp(10_000), true);
    return (await store.readSince(-1, 10_000)).map((r) => r.keys.requestId!);
  } finally {
    await store.close();
  }
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `req-${from + i}`);

const losses: Array<[string, (rig: Rig) => void]> = [
  ['deleted', (rig) => unlinkSync(currentSegment(rig.spool))],
  ['replaced', (rig) => { writeFileSync(join(rig.dir, 'other'), ''); renameSync(join(rig.dir, 'other'), currentSegment(rig.spool)); }],
  ['deleted with its directory', (rig) => rmSync(rig.spool, { recursive: true })],
];

for (const [how, lose, fsync] of [...losses.map(([h, l]) => [h, l, false] as const), [`${losses[0][0]} (fsync)`, losses[0][1], true] as const]) {
  test(`the spool segment being written ${how}: the next batch puts it back under its name, and no acknowledged record is lost`, async () => {
    await withRig(async (rig) => {
      const store = rig.open();
      let restoredByBatch = false;
      try {
        await appendRange(store, 0, 5);
        lose(rig);
        // Past the writer's check interval (CHECK_MS), so the next batch checks the name.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await appendRange(store, 5, 10);
        restoredByBatch = rig.messages.some((m) => m.kind === 'spool_restored');
      } finally {
        // Stopped before the indexer took them (it gathers for 200 ms): only the spool has them.
        await store.close();
      }
      assert.deepEqual(await indexedAfterRestart(rig), ids(0, 10));
      assert.ok(restoredByBatch, 'the batch after the loss put the segment back, and it was reported');
    }, fsync);
  });
}

test('a spool segment deleted while the writer is idle is put back under its name by the idle check', async () => {
  await withRig(async (rig) => {
    const store = rig.open();
    try {
      await appendRange(store, 0, 5);
      const segment = currentSegment(rig.spool);
      const size = statSync(segment).size;
      unlinkSync(segment);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(statSync(segment, { throwIfNoEntry: false })?.size, size);
    } finally {
      await store.close();
    }
  });
});

test('a spool segment that cannot be put back under its name refuses batches, and takes them again once it can', async () => {
  await withRig(async (rig) => {
    const store = rig.open();
    try {
      await appendRange(store, 0, 5);
      rmSync(rig.spool, { recursive: true });
      // A file where the directory was: no segment can be made there.
      writeFileSync(rig.spool, '');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await assert.rejects(store.append(record(5)), /the journal could not write its spool/);
      await assert.rejects(store.append(record(6)), /the journal could not write its spool/);
      unlinkSync(rig.spool);
      await appendRange(store, 7, 10);
    } finally {
      await store.close();
    }
    assert.deepEqual(await indexedAfterRestart(rig), [...ids(0, 5), ...ids(7, 10)]);
  });
});

test('the indexer reads on from the copy the writer puts under a segment\'s name, without a failure', async () => {
  await withRig(async (rig) => {
    const store = rig.open();
    try {
      await appendRange(store, 0, 5);
      assert.equal(await store.caughtUp(10_000), true);
      unlinkSync(currentSegment(rig.spool));
      for (let round = 1; round < 4; round++) {
        await appendRange(store, round * 5, round * 5 + 5);
        assert.equal(await store.caughtUp(10_000), true);
      }
      assert.deepEqual((await store.readSince(-1, 100)).map((r) => r.keys.requestId), ids(0, 20));
      assert.deepEqual(rig.messages.filter((m) => m.kind === 'failing'), []);
    } finally {
      await store.close();
    }
  });
});

/** The file the process still holds open at `path` after it lost its name (as an operator finds it under /proc/<pid>/fd). */
function heldOpen(path: string): string {
  const fd = readdirSync('/proc/self/fd').find((n) => {
    try { return readlinkSync(`/proc/self/fd/${n}`) === `${path} (deleted)`; } catch { return false; }
  });
  assert.ok(fd, `${path} is held open`);
  return `/proc/self/fd/${fd}`;
}

test('the journal database deleted or replaced: the indexer reports failing and indexes nothing into it; the spool keeps the records, and a copy put back is indexed on from where it stopped', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  for (const how of ['deleted', 'replaced'] as const) {
    await withRig(async (rig) => {
      // Records 0-4 end up only in the database: the next start indexes their segment and deletes it.
      const first = rig.open();
      await appendRange(first, 0, 5);
      await first.close();
      const store = rig.open();
      try {
        await appendRange(store, 5, 10);
        assert.equal(await store.caughtUp(10_000), true);
        assert.equal(readdirSync(rig.spool).length, 1, 'the first start\'s segment is indexed and gone');
        // Deleted as `rm journal.db*` does: its write-ahead log and shared-memory files too.
        if (how === 'deleted') for (const suffix of ['', '-wal', '-shm']) unlinkSync(rig.path + suffix);
        else {
          writeFileSync(join(rig.dir, 'other.db'), '');
          renameSync(join(rig.dir, 'other.db'), rig.path);
        }
        await appendRange(store, 10, 15);
        assert.equal(await store.caughtUp(1500), false, 'nothing is indexed into the lost file');
        const failing = rig.messages.find((m) => m.kind === 'failing');
        assert.equal(failing?.kind === 'failing' && failing.code, `journal_database_${how}`);
        assert.match(failing?.kind === 'failing' ? failing.message : '', new RegExp(`the journal database .* was ${how} while the server runs`));
        assert.equal(readdirSync(rig.spool).length, 1, 'the segment holding the records is kept');
        // What docs/journal.md tells the operator: copy the file back from /proc/<pid>/fd, restart.
        copyFileSync(heldOpen(rig.path), rig.path);
      } finally {
        await store.close();
      }
      const restarted = rig.open();
      try {
        assert.equal(await restarted.caughtUp(10_000), true);
        assert.deepEqual((await restarted.readSince(-1, 100)).map((r) => [r.seq, r.keys.requestId]), ids(0, 15).map((id, seq) => [seq, id]));
      } finally {
        await restarted.close();
      }
    });
  }
});
