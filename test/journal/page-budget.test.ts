/**
 * A page of journal records carries at most MAX_PAGE_CHARS of record text (a larger record is a
 * page of its own), on every backend and on the reader thread; a timeline's part holds whole
 * requests within one such budget (timeline-parts.test.ts). Records anyone can make tens of MiB
 * large must not make a page of 1,000 of them (gigabytes in the answer's memory, or past the
 * longest string V8 can hold).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PAGE_CHARS, createJournalStore, parseJournalQuery, searchJournal, timeline, type JournalStore } from '../../src/journal/index.js';
import { BACKENDS } from './backends.js';

const parse = (params: Record<string, string>) => parseJournalQuery(params, (a) => a);
/** A record of about `chars` characters of text, valid JSON. */
const big = (i: number, chars: number) => JSON.stringify({ i, filler: 'x'.repeat(chars) });
const THIRD = Math.floor(MAX_PAGE_CHARS * 0.4);

/** Two small records, three of 0.4 × the budget, one small, all of one correlation id. */
async function fill(store: JournalStore): Promise<void> {
  const sizes = [10, 10, THIRD, THIRD, THIRD, 10];
  for (const [i, size] of sizes.entries()) {
    await store.append({ kind: 'server', timeNs: BigInt(1000 + i), text: big(i, size), keys: { correlationId: 'c-1', requestId: `r-${i}` } });
  }
  assert.equal(await store.caughtUp(30_000), true, 'the records are indexed');
}

/** Every page of a search, followed by its cursors: the records' `i` on each page. */
async function pages(store: JournalStore, params: Record<string, string>): Promise<number[][]> {
  const out: number[][] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 20; n++) {
    const page = await searchJournal(store, parse({ ...params, ...(cursor ? { cursor } : {}) }));
    const chars = page.records.reduce((s, r) => s + r.text.length, 0);
    assert.ok(chars <= MAX_PAGE_CHARS || page.records.length === 1, `a page over the budget holds one record (${chars} chars in ${page.records.length})`);
    out.push(page.records.map((r) => (JSON.parse(r.text) as { i: number }).i));
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

async function checkStore(store: JournalStore, name: string): Promise<void> {
  await fill(store);
  // Two of the large records fit in a page; the third, passing the budget, opens the next.
  assert.deepEqual(await pages(store, { limit: '1000', order: 'asc' }), [[0, 1, 2, 3], [4, 5]], name);
  assert.deepEqual(await pages(store, { limit: '1000', order: 'desc' }), [[5, 4, 3], [2, 1, 0]], name);
  assert.deepEqual(await pages(store, { limit: '3', order: 'asc' }), [[0, 1, 2], [3, 4, 5]], name);
  // Following arrivals by seq: the budget ends the page, after_seq goes on from its last record.
  const follow = await searchJournal(store, parse({ after_seq: '-1', limit: '1000' }));
  assert.deepEqual(follow.records.map((r) => r.seq), [0, 1, 2, 3, 4], `${name}: the record passing the budget ends the page`);
  // A timeline (every record shares the correlation id) stops before the request that would pass
  // the budget and says so.
  const t = await timeline(store, { correlationId: 'c-1' });
  assert.equal(t.truncated, true, name);
  const shown = t.groups.flatMap((g) => g.records);
  assert.deepEqual(shown.map((r) => r.seq), [0, 1, 2, 3], name);
  // It goes on from that request.
  assert.equal(t.nextSinceNs, 1004n, name);
  const rest = await timeline(store, { correlationId: 'c-1' }, 1000, { sinceNs: t.nextSinceNs });
  assert.deepEqual([rest.groups.flatMap((g) => g.records).map((r) => r.seq), rest.truncated, rest.nextSinceNs], [[4, 5], false, undefined], name);
  // Cut by the limit: the next part starts at the first record not shown.
  const first = await timeline(store, { correlationId: 'c-1' }, 3);
  assert.deepEqual([first.groups.flatMap((g) => g.records).map((r) => r.seq), first.truncated, first.nextSinceNs], [[0, 1, 2], true, 1003n], name);
  const second = await timeline(store, { correlationId: 'c-1' }, 3, { sinceNs: first.nextSinceNs });
  assert.deepEqual([second.groups.flatMap((g) => g.records).map((r) => r.seq), second.truncated], [[3, 4, 5], false], name);
  const bounded = await timeline(store, { correlationId: 'c-1' }, 1000, { sinceNs: 1001n, untilNs: 1001n });
  assert.deepEqual(bounded.groups.flatMap((g) => g.records).map((r) => r.seq), [1], name);
}

test('pages and timelines stop at MAX_PAGE_CHARS of record text, on SQLite and PostgreSQL', async () => {
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await checkStore(store, backend.name);
    } finally {
      await dispose();
    }
  }
});

test('the reader thread steps through rows and stops at the budget: the same pages as in process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-page-budget-'));
  const store = createJournalStore({ path: join(dir, 'journal.db'), spool: true });
  try {
    await checkStore(store, 'spooled sqlite (reader thread)');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
