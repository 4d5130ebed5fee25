import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportLine } from '../../src/cli/commands/journal-query.js';
import { createJournalStore, recordView, type JournalAppend, type JournalFilter } from '../../src/journal/index.js';
import { exportRecords } from '../../src/journal/export.js';
import { openJournalDatabase } from '../../src/journal/schema.js';

const T0 = 1_780_000_000_123_456_789n;

/** Records of every shape: imported or live, keys absent or odd (quotes, control characters, non-ASCII), times with and without a fraction. */
function records(): JournalAppend[] {
  return Array.from({ length: 23 }, (_, i) => ({
    kind: i % 3 === 0 ? 'cloudtrail' : 'vault-response',
    // Out of arrival order, and some whole seconds.
    timeNs: i % 5 === 0 ? 1_780_000_000_000_000_000n + BigInt(i) * 1_000_000_000n : T0 + BigInt((i * 7) % 23) * 1001n,
    text: JSON.stringify({ i, note: i % 4 === 0 ? 'ünïcödé "quoted" \\ \u2028 😀' : 'plain' }),
    keys: i % 4 === 0 ? {} : {
      requestId: `req-${i}`, entityId: i % 2 === 0 ? 'e"1\n\t\u0001' : 'entité', path: `secret/data/ü/${i}`, outcome: i % 6 === 0 ? 'failure' : 'success',
    },
    ...(i % 3 === 1 ? { origin: { file: `/var/log/a "b"\\${i}.log`, line: i + 1 } } : {}),
  }));
}

async function withJournal(fn: (path: string, expected: (filter: JournalFilter) => Promise<string>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-jexport-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  try {
    const all = records();
    await Promise.all(all.filter((r) => !r.origin).map((r) => store.append(r)));
    (await store.importBatch(all.filter((r) => r.origin)));
    // What the API's pages give, each line made by the CLI's exportLine from the API's raw view.
    const expected = async (filter: JournalFilter) => (await store.query({ ...filter, order: 'asc', limit: 1000 })).map((r) => exportLine(recordView(r))).join('');
    await fn(path, expected);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exported(path: string, filter: JournalFilter, page?: number): Promise<{ text: string; count: number; chunks: number }> {
  const db = openJournalDatabase(path);
  try {
    const chunks: Buffer[] = [];
    const count = await exportRecords(db, filter, (c) => chunks.push(Buffer.from(c)), page);
    return { text: Buffer.concat(chunks).toString('utf8'), count, chunks: chunks.length };
  } finally {
    db.close();
  }
}

test('a journal file exports, oldest first, exactly the lines the API view gives, across pages', async () => {
  await withJournal(async (path, expected) => {
    for (const page of [1, 4, 23, 1000]) {
      const out = await exported(path, {}, page);
      assert.equal(out.count, 23);
      assert.equal(out.text, await expected({}), `page ${page}`);
    }
    for (const filter of [{ keys: { entityId: 'entité' } }, { pathPrefix: 'secret/data/ü/1' }, { imported: true }, { kinds: ['cloudtrail' as const] }, { keys: { outcome: 'failure' as const } }]) {
      const out = await exported(path, filter, 2);
      assert.ok(out.count > 0 && out.count < 23, JSON.stringify(filter));
      assert.equal(out.text, await expected(filter), JSON.stringify(filter));
    }
    assert.deepEqual(await exported(path, { keys: { entityId: 'nobody' } }), { text: '', count: 0, chunks: 0 });
  });
});

test('a record larger than a write chunk is written whole, in a chunk made large enough', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-jexport-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  try {
    const big = JSON.stringify({ blob: 'x'.repeat(1_500_000) });
    for (const text of ['{"a":1}', big, '{"b":2}']) await store.append({ kind: 'server', timeNs: T0, text, keys: {} });
    const out = await exported(path, {});
    const expected = (await store.query({ order: 'asc', limit: 10 })).map((r) => exportLine(recordView(r))).join('');
    assert.equal(out.text, expected);
    // The first line's chunk, then one large enough for the big line (and the last).
    assert.equal(out.chunks, 2);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
