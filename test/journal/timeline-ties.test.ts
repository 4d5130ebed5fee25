/**
 * A timeline read in parts by its continuation (`next`) shows each record once, however many
 * records share one nanosecond across a part's cut: the continuation is a (time, seq) position and
 * the snapshot of the first part, not a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournalStore, timeline, type JournalFilter, type JournalStore, type TimelineStart } from '../../src/journal/index.js';
import { BACKENDS } from './backends.js';

/** The seqs of every part of the timeline of `subject`, following `next`. */
async function partsByNext(store: JournalStore, subject: NonNullable<JournalFilter['keys']>, limit: number): Promise<number[][]> {
  const out: number[][] = [];
  let from: TimelineStart | undefined;
  for (let n = 0; n < 40; n++) {
    const t = await timeline(store, subject, limit, {}, from);
    out.push(t.groups.flatMap((g) => g.records.map((r) => r.seq)));
    if (!t.truncated) return out;
    assert.ok(t.next !== undefined, `part ${n} says where the next one starts`);
    from = t.next;
  }
  throw new Error('the timeline did not end');
}

/** Seven requests of accessor `a` in one nanosecond (two records each: seqs 2i and 2i+1), then one later. */
async function oneNanosecond(store: JournalStore): Promise<void> {
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 2; j++) await store.append({ kind: 'vault-request', timeNs: 5000n, text: JSON.stringify({ i, j }), keys: { requestId: `r-${i}`, accessor: 'a' } });
  }
  await store.append({ kind: 'vault-request', timeNs: 5001n, text: '{}', keys: { requestId: 'late', accessor: 'a' } });
  assert.equal(await store.caughtUp(30_000), true);
}

async function check(store: JournalStore, name: string): Promise<void> {
  await oneNanosecond(store);
  for (const limit of [1, 2, 3, 4, 5]) {
    const parts = await partsByNext(store, { accessor: 'a' }, limit);
    const shown = parts.flat();
    assert.deepEqual(shown, Array.from({ length: 15 }, (_, i) => i), `${name}, limit ${limit}: each record once, in order (${JSON.stringify(parts)})`);
  }
  // A record arriving between parts, in the nanosecond already read, does not shift the parts.
  const first = await timeline(store, { accessor: 'a' }, 4);
  await store.append({ kind: 'vault-request', timeNs: 5000n, text: '{"new":1}', keys: { requestId: 'new', accessor: 'a' } });
  assert.equal(await store.caughtUp(30_000), true);
  const second = await timeline(store, { accessor: 'a' }, 4, {}, first.next);
  assert.deepEqual(second.groups.flatMap((g) => g.records.map((r) => r.seq)), [4, 5, 6, 7], `${name}: the next part reads the first part's snapshot`);
}

/** Requests whose records interleave in one nanosecond: r-0 is seqs 0, 2, 4; r-1 is 1, 3; r-2 and r-3 are 5 and 6. */
async function interleaved(store: JournalStore): Promise<void> {
  for (const id of ['r-0', 'r-1', 'r-0', 'r-1', 'r-0', 'r-2', 'r-3']) {
    await store.append({ kind: 'vault-request', timeNs: 7000n, text: '{}', keys: { requestId: id, entityId: 'e' } });
  }
  assert.equal(await store.caughtUp(30_000), true);
}

test('requests interleaved in one nanosecond across a cut are each shown once', async () => {
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await interleaved(store);
      for (const limit of [1, 2, 3, 4]) {
        const parts = await partsByNext(store, { entityId: 'e' }, limit);
        assert.deepEqual(parts.flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6], `${backend.name}, limit ${limit}: ${JSON.stringify(parts)}`);
        assert.ok(parts.every((p) => p.length > 0), `${backend.name}, limit ${limit}: no part is empty (${JSON.stringify(parts)})`);
      }
    } finally {
      await dispose();
    }
  }
});

test('a timeline whose records share one nanosecond is read in parts without repeating or skipping one', async () => {
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await check(store, backend.name);
    } finally {
      await dispose();
    }
  }
});

test('the same on the reader thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-timeline-ties-'));
  const store = createJournalStore({ path: join(dir, 'journal.db'), spool: true });
  try {
    await check(store, 'spooled sqlite');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
