import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createJournalStore, type JournalAppend, type JournalStore } from '../../src/journal/index.js';
import { createLedgerFollower, LEDGER_BATCH } from '../../src/journal/ledger/ledger-follower.js';
import { readLedgerFile, readLedgerFileSync } from '../../src/journal/ledger/ledger-dir.js';
import { openJournalDatabase } from '../../src/journal/schema.js';
import { decodeBundle, digestEntry, DIGEST_ENTRY_HEADER, leafHash, LogAppender, rootOf } from '../../src/ledger/index.js';

const T0 = 1_780_000_000_000_000_000n;

function record(i: number, text = JSON.stringify({ i, pad: 'x'.repeat(i % 7) })): JournalAppend {
  return { kind: 'vault-request', timeNs: T0 + BigInt(i), text, keys: { requestId: `req-${i}` } };
}

interface Fixture { store: JournalStore; db: Database.Database; dir: string; texts: string[] }

async function withJournal(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-'));
  const path = join(root, 'journal.db');
  const store = createJournalStore({ path });
  const db = openJournalDatabase(path);
  try {
    await fn({ store, db, dir: join(root, 'ledger'), texts: [] });
  } finally {
    db.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function append(f: Fixture, records: JournalAppend[]): Promise<void> {
  await Promise.all(records.map((r) => f.store.append(r)));
  f.texts.push(...records.map((r) => r.text));
}

/** The root the ledger core computes over the records' entries, independently of the files. */
const expectedRoot = (texts: readonly string[]) => rootOf(texts.map((t, seq) => leafHash(entryOf(seq, t))));
const entryOf = (seq: number, text: string) => {
  const bytes = Buffer.from(text);
  return bytes.length > 65535 || text.startsWith(DIGEST_ENTRY_HEADER) ? digestEntry(seq, bytes) : bytes;
};

async function followAll(f: Fixture) {
  const follower = createLedgerFollower(f.db, { dir: f.dir, fsync: false });
  for (let i = 0; i < 100; i++) if ((await follower.follow()).added === 0) break;
  return follower.head();
}

test('records appended through the store become leaves in seq order; the root is the ledger core\'s', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 300 }, (_, i) => record(i)));
    const follower = createLedgerFollower(f.db, { dir: f.dir, fsync: false });
    assert.deepEqual((await follower.head()).size, 0);
    const step = await follower.follow();
    assert.equal(step.added, 300);
    assert.equal(step.head.size, 300);
    assert.deepEqual(step.head.root, expectedRoot(f.texts));
    assert.equal((await follower.follow()).added, 0, 'nothing twice');
    // Entry i is record seq i: the full bundle, then the partial one.
    const full = decodeBundle(readLedgerFileSync(f.dir, 'tile/entries/000')!, 256).map((e) => e.toString());
    const partial = decodeBundle(readLedgerFileSync(f.dir, 'tile/entries/001.p/44')!, 44).map((e) => e.toString());
    assert.deepEqual([...full, ...partial], f.texts);
    assert.equal(readLedgerFileSync(f.dir, 'tile/0/000')!.length, 256 * 32);
    assert.equal(readLedgerFileSync(f.dir, 'tile/0/001.p/44')!.length, 44 * 32);
    assert.equal(readLedgerFileSync(f.dir, 'tile/1/000.p/1')!.length, 32);
    assert.equal(f.db.prepare('SELECT size FROM ledger_state').pluck().get(), 300);
  });
});

test('a full tile replaces its partials, and a partial path is still answered from the full file or a wider partial', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 100 }, (_, i) => record(i)));
    await followAll(f);
    assert.ok(existsSync(join(f.dir, 'tile/0/000.p/100')));
    await append(f, Array.from({ length: 50 }, (_, i) => record(100 + i)));
    await followAll(f);
    // Width 120 was never written: its bytes are the first 120 hashes of the 150-wide partial.
    assert.deepEqual(readLedgerFileSync(f.dir, 'tile/0/000.p/120'), readLedgerFileSync(f.dir, 'tile/0/000.p/150')!.subarray(0, 120 * 32));
    const hundred = readLedgerFileSync(f.dir, 'tile/0/000.p/100')!;
    const bundle100 = readLedgerFileSync(f.dir, 'tile/entries/000.p/100')!;
    await append(f, Array.from({ length: 200 }, (_, i) => record(150 + i)));
    await followAll(f);
    assert.equal(existsSync(join(f.dir, 'tile/0/000.p')), false, 'the partials are gone once the full tile is written');
    assert.deepEqual(readLedgerFileSync(f.dir, 'tile/0/000.p/100'), hundred);
    assert.deepEqual(await readLedgerFile(f.dir, 'tile/0/000.p/100'), hundred);
    assert.deepEqual(readLedgerFileSync(f.dir, 'tile/entries/000.p/100'), bundle100);
    assert.deepEqual(await readLedgerFile(f.dir, 'tile/entries/000.p/100'), bundle100);
    assert.equal(readLedgerFileSync(f.dir, 'tile/0/002'), undefined);
    assert.equal(await readLedgerFile(f.dir, 'tile/0/001.p/200'), undefined, 'no wider file: not there');
    assert.throws(() => readLedgerFileSync(f.dir, 'tile/0/../../journal.db'), { code: 'ledger_invalid_path' });
  });
});

test('records over 65,535 bytes, and records that begin like a digest entry, enter as digest entries', async () => {
  await withJournal(async (f) => {
    const big = JSON.stringify({ big: 'y'.repeat(70_000) });
    const posing = `${DIGEST_ENTRY_HEADER}seq 1\nsize 2\nsha256 ${'0'.repeat(64)}\n`;
    const exact = 'z'.repeat(65_535);
    await append(f, [record(0), record(1, big), record(2, posing), record(3, exact)]);
    const head = await followAll(f);
    assert.equal(head.size, 4);
    assert.deepEqual(head.root, expectedRoot(f.texts));
    const entries = decodeBundle(readLedgerFileSync(f.dir, 'tile/entries/000.p/4')!, 4);
    assert.equal(entries[0].toString(), f.texts[0]);
    assert.deepEqual(entries[1], digestEntry(1, Buffer.from(big)));
    assert.deepEqual(entries[2], digestEntry(2, Buffer.from(posing)));
    assert.equal(entries[3].length, 65_535, 'at the limit the record is its own entry');
  });
});

test('a reopened follower continues with no gap, a batch at a time', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 37 }, (_, i) => record(i)));
    assert.equal((await followAll(f)).size, 37);
    await append(f, Array.from({ length: LEDGER_BATCH + 500 }, (_, i) => record(37 + i)));
    const reopened = createLedgerFollower(f.db, { dir: f.dir, fsync: true });
    assert.equal((await reopened.head()).size, 37);
    assert.equal((await reopened.follow()).added, LEDGER_BATCH);
    const last = await reopened.follow();
    assert.equal(last.added, 500);
    assert.equal(last.head.size, f.texts.length);
    assert.deepEqual(last.head.root, expectedRoot(f.texts));
    // The appender from the files alone agrees.
    const fromFiles = await LogAppender.open(f.texts.length, async (p) => readLedgerFileSync(f.dir, p)!);
    assert.deepEqual(fromFiles.root(), expectedRoot(f.texts));
  });
});

test('files ahead of ledger_state after a crash: the next start appends the same records again and agrees', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 120 }, (_, i) => record(i)));
    await followAll(f);
    await append(f, Array.from({ length: 400 }, (_, i) => record(120 + i)));
    await followAll(f);
    const tile = readFileSync(join(f.dir, 'tile/0/002.p/8'));
    // As a crash between the files and the state leaves it: the files hold 520, the state says 120
    // (and tile 0's partial at 120 was replaced by the full tile).
    f.db.prepare('UPDATE ledger_state SET size = 120').run();
    assert.equal(existsSync(join(f.dir, 'tile/0/000.p/120')), false);
    const restarted = createLedgerFollower(f.db, { dir: f.dir, fsync: false });
    assert.equal((await restarted.head()).size, 120);
    const step = await restarted.follow();
    assert.equal(step.added, 400);
    assert.deepEqual(step.head.root, expectedRoot(f.texts));
    assert.deepEqual(readFileSync(join(f.dir, 'tile/0/002.p/8')), tile, 'the same bytes rewritten');
  });
});

test('a missing seq is an error naming it; the ledger does not skip past it', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 10 }, (_, i) => record(i)));
    await followAll(f);
    await append(f, Array.from({ length: 5 }, (_, i) => record(10 + i)));
    f.db.prepare('DELETE FROM records WHERE seq = 11').run();
    const follower = createLedgerFollower(f.db, { dir: f.dir, fsync: false });
    await assert.rejects(follower.follow(), { code: 'ledger_gap', message: /no record with seq 11 \(the next is 12\)/ });
    assert.equal(f.db.prepare('SELECT size FROM ledger_state').pluck().get(), 10, 'nothing taken past the gap');
    await assert.rejects(follower.follow(), { code: 'ledger_gap' });
  });
});

test('a chunk just committed is taken as given when it starts at the ledger\'s size; otherwise the database is read', async () => {
  await withJournal(async (f) => {
    await append(f, Array.from({ length: 30 }, (_, i) => record(i)));
    const follower = createLedgerFollower(f.db, { dir: f.dir, fsync: false });
    const given = await follower.follow({ first: 0, texts: f.texts.slice(0, 10) });
    assert.equal(given.added, 10, 'only the given chunk');
    assert.deepEqual(given.head.root, expectedRoot(f.texts.slice(0, 10)));
    const elsewhere = await follower.follow({ first: 25, texts: f.texts.slice(25) });
    assert.equal(elsewhere.added, 20, 'not at the ledger\'s size: read from the database');
    assert.deepEqual(elsewhere.head.root, expectedRoot(f.texts));
  });
});
