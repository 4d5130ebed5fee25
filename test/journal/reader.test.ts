/**
 * Journal searches run on the reader thread (src/journal/reader/), not on the thread that answers
 * requests, and one that runs past its deadline is refused with journal_query_timeout while the
 * next query gets a fresh reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createJournalStore, type JournalAppend } from '../../src/journal/index.js';
import { createJournalReader } from '../../src/journal/reader/reader.js';
import { SealtrailError, STATUS_BY_KIND } from '../../src/errors/index.js';
import { spawnWorker } from '../../src/lib/spawn-worker.js';
import { asReader } from '../../src/lib/reader-turns.js';

const T0 = 1_780_000_000_000_000_000n;
const record = (i: number): JournalAppend => ({
  kind: 'vault-request', timeNs: T0 + BigInt(i) * 1000n, text: JSON.stringify({ i }),
  keys: { requestId: `req-${i}`, entityId: `ent-${i % 3}`, remoteAddress: '127.0.0.1', path: 'secret/data/a', outcome: 'success' },
});

test('a spooled store searches on its reader thread: the same answers, and no query runs on this thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-journal-reader-'));
  const store = createJournalStore({ path: join(dir, 'journal.db'), spool: true });
  // better-sqlite3's statements share one prototype in a thread: count what runs on this one.
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { all: (...a: unknown[]) => unknown };
  const all = proto.all;
  let here = 0;
  proto.all = function (this: unknown, ...args: unknown[]) { here++; return all.apply(this, args); };
  try {
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(record(i))));
    assert.equal(await store.caughtUp(10_000), true);
    here = 0;
    const found = await store.query({ keys: { entityId: 'ent-1', remoteAddress: '127.0.0.1' }, order: 'desc', limit: 5 });
    assert.deepEqual(found.map((r) => r.text), [28, 25, 22, 19, 16].map((i) => JSON.stringify({ i })));
    assert.deepEqual(found[0].keys, record(28).keys);
    assert.equal(typeof found[0].timeNs, 'bigint');
    assert.equal(here, 0, 'the search ran on this thread');
  } finally {
    proto.all = all;
    probe.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a query past its deadline is refused journal_query_timeout (400); a reader that dies fails its query; the next gets a fresh reader', async () => {
  let started = 0;
  const reader = createJournalReader('unused', { timeoutMs: 300, spawn: () => { started++; return spawnWorker(import.meta.url, 'reader-fault-worker', undefined); } });
  try {
    assert.deepEqual(await reader.all('first', []), [{ sql: 'first' }]);
    await assert.rejects(reader.all('hang', []), (err: unknown) => {
      assert.ok(err instanceof SealtrailError);
      assert.deepEqual([err.code, STATUS_BY_KIND[err.kind]], ['journal_query_timeout', 400]);
      assert.match(err.message, /^the journal query did not finish within 300 ms: narrow it/);
      return true;
    });
    // Queued behind the one that ran on, and answered by the next worker.
    assert.deepEqual(await reader.all('after', []), [{ sql: 'after' }]);
    assert.equal(started, 2);
    await assert.rejects(reader.all('crash', []), (err: unknown) => err instanceof SealtrailError && err.code === 'internal');
    assert.deepEqual(await reader.all('again', []), [{ sql: 'again' }]);
    assert.equal(started, 3);
  } finally {
    await reader.close();
  }
});

test('queued queries are served in turn per reader: one reader\'s queue does not hold up another\'s', async () => {
  const reader = createJournalReader('unused', { spawn: () => spawnWorker(import.meta.url, 'reader-fault-worker', undefined) });
  try {
    const served: string[] = [];
    const ask = (owner: string, sql: string) => asReader(owner, () => reader.all(sql, [])).then(() => { served.push(sql); });
    await Promise.all([ask('a', 'a1'), ask('a', 'a2'), ask('a', 'a3'), ask('a', 'a4'), ask('b', 'b1'), ask('c', 'c1'), ask('b', 'b2')]);
    assert.deepEqual(served, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  } finally {
    await reader.close();
  }
});
