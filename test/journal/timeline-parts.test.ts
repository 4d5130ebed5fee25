/**
 * A timeline read in parts — each part's `nextSinceNs` passed as the next one's `since` — shows
 * every record of the whole timeline, whatever cuts a part: its limit or its text budget. Each
 * request is shown whole in some part, and every part moves on, even one whose first request
 * alone passes the budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PAGE, MAX_PAGE_CHARS, createJournalStore, timeline, type JournalFilter, type JournalKeys, type JournalStore } from '../../src/journal/index.js';
import { BACKENDS } from './backends.js';

const text = (i: number, chars: number) => JSON.stringify({ i, filler: 'x'.repeat(chars) });
const TENTH = Math.floor(MAX_PAGE_CHARS / 10);

interface Part { seqs: number[]; chars: number; groups: number }

/** Every part of the timeline of `subject`, following `nextSinceNs`. */
async function parts(store: JournalStore, subject: NonNullable<JournalFilter['keys']>, limit = MAX_PAGE): Promise<Part[]> {
  const out: Part[] = [];
  let sinceNs: bigint | undefined;
  for (let n = 0; n < 40; n++) {
    const t = await timeline(store, subject, limit, sinceNs === undefined ? {} : { sinceNs });
    const records = t.groups.flatMap((g) => g.records);
    out.push({ seqs: records.map((r) => r.seq), chars: records.reduce((s, r) => s + r.text.length, 0), groups: t.groups.length });
    if (!t.truncated) return out;
    assert.ok(t.nextSinceNs !== undefined && (sinceNs === undefined || t.nextSinceNs > sinceNs), `part ${n} moves on (${t.nextSinceNs} after ${sinceNs})`);
    sinceNs = t.nextSinceNs;
  }
  throw new Error('the timeline did not end');
}

const union = (ps: Part[]) => [...new Set(ps.flatMap((p) => p.seqs))].sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function indexed(store: JournalStore): Promise<void> {
  assert.equal(await store.caughtUp(30_000), true, 'the records are indexed');
}

/**
 * Root creates a token (its request names root's accessor, its response the new token's), then the
 * token makes 12 writes whose request and response are each a tenth of the budget.
 */
async function tokenStory(store: JournalStore): Promise<void> {
  let time = 1000n;
  const add = (size: number, keys: JournalKeys) => store.append({ kind: 'vault-request', timeNs: time++, text: text(Number(time), size), keys });
  await add(10, { requestId: 'create', accessor: 'root' });
  await add(10, { requestId: 'create', accessor: 't2' });
  for (let i = 0; i < 12; i++) {
    await add(TENTH, { requestId: `write-${i}`, accessor: 't2' });
    await add(TENTH, { requestId: `write-${i}`, accessor: 't2' });
  }
  await indexed(store);
}

/** A request whose response names no one (seq 0, 4), three others of the subject's (1-3). */
async function lateResponse(store: JournalStore): Promise<void> {
  const rows: [bigint, JournalKeys][] = [
    [1000n, { requestId: 'r-0', accessor: 'a' }],
    [1001n, { requestId: 'r-1', accessor: 'a' }],
    [1002n, { requestId: 'r-2', accessor: 'a' }],
    [1003n, { requestId: 'r-3', accessor: 'a' }],
    [1004n, { requestId: 'r-0' }],
  ];
  for (const [i, [timeNs, keys]] of rows.entries()) await store.append({ kind: 'vault-request', timeNs, text: text(i, 10), keys });
  await indexed(store);
}

/** One record larger than the whole budget, then a small one. */
async function oversized(store: JournalStore): Promise<void> {
  await store.append({ kind: 'vault-request', timeNs: 1000n, text: text(0, MAX_PAGE_CHARS + 10), keys: { requestId: 'big', entityId: 'e' } });
  await store.append({ kind: 'vault-request', timeNs: 1001n, text: text(1, 10), keys: { requestId: 'small', entityId: 'e' } });
  await indexed(store);
}

async function check(open: () => Promise<{ store: JournalStore; dispose(): Promise<void> }>, name: string): Promise<void> {
  const within = (ps: Part[]) => ps.every((p) => p.chars <= MAX_PAGE_CHARS || p.groups === 1);
  {
    const { store, dispose } = await open();
    try {
      await tokenStory(store);
      const ps = await parts(store, { accessor: 't2' });
      assert.deepEqual(union(ps), range(0, 26), `${name}: the create's request (joined by request id) is in a part`);
      assert.ok(ps.length > 1 && within(ps), `${name}: parts keep to the budget (${ps.map((p) => p.chars).join(', ')})`);
      assert.deepEqual(ps[0].seqs.slice(0, 2), [0, 1], `${name}: the first part opens with the whole create`);
    } finally {
      await dispose();
    }
  }
  {
    const { store, dispose } = await open();
    try {
      await lateResponse(store);
      const ps = await parts(store, { accessor: 'a' }, 2);
      assert.deepEqual(union(ps), range(0, 5), `${name}: a response after the limit's cut is in a part`);
      assert.deepEqual(ps[0].seqs, [0, 4], `${name}: the first request is shown whole`);
    } finally {
      await dispose();
    }
  }
  {
    const { store, dispose } = await open();
    try {
      await oversized(store);
      const ps = await parts(store, { entityId: 'e' });
      assert.deepEqual(ps.map((p) => p.seqs), [[0], [1]], `${name}: a record past the budget is a part of its own, and the next part moves on`);
    } finally {
      await dispose();
    }
  }
}

test('a timeline read in parts skips no record, on SQLite and PostgreSQL', async () => {
  for (const backend of BACKENDS) await check(() => backend.open(), backend.name);
});

test('a timeline read in parts skips no record on the reader thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-timeline-parts-'));
  let n = 0;
  try {
    await check(async () => {
      const store = createJournalStore({ path: join(dir, `journal-${n++}.db`), spool: true });
      return { store, dispose: () => store.close() };
    }, 'spooled sqlite (reader thread)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
