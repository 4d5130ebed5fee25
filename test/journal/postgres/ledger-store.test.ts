/**
 * The ledger's files in PostgreSQL: after appends that cross a full tile, every file the log ever
 * wrote (partial ones included, whose rows a full tile replaced) is answered with its bytes;
 * pruning keeps them answerable; a writer extending a size that is no longer the stored one stores
 * nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresJournalStore, readLedgerSize, readPostgresLedgerFile, type IndexerMessage } from '../../../src/journal/index.js';
import { prunePostgresPartials, writeLedgerFiles } from '../../../src/journal/postgres/ledger-store.js';
import { ledgerEntry, LogAppender } from '../../../src/ledger/index.js';
import { freshDatabase } from '../backends.js';

const record = (i: number) => ({ kind: 'server' as const, timeNs: 1_780_000_000_000_000_000n + BigInt(i), text: JSON.stringify({ i }), keys: {} });

test('postgresql ledger: every file ever written is answered with its bytes, before and after pruning; a stale writer stores nothing', async () => {
  const url = await freshDatabase();
  let size = 0;
  const heads: (() => void)[] = [];
  const onIndexer = (m: IndexerMessage) => {
    if (m.kind !== 'ledger') return;
    size = m.size;
    heads.splice(0).forEach((wake) => wake());
  };
  const store = await createPostgresJournalStore({ url, ledger: true, onIndexer });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const reference = LogAppender.empty();
  const written = new Map<string, Buffer>();
  try {
    let next = 0;
    for (const batch of [100, 100, 100, 300]) {
      const records = Array.from({ length: batch }, () => record(next++));
      await Promise.all(records.map((r) => store.append(r)));
      // One ledger step per batch (bounded wait), so the stored log wrote the reference's files.
      for (let i = 0; i < 100 && size < next; i++) await new Promise<void>((resolve) => { heads.push(resolve); setTimeout(resolve, 100); });
      assert.equal(size, next);
      for (const file of reference.append(records.map((r, k) => ledgerEntry(next - batch + k, Buffer.from(r.text)))).files) written.set(file.path, file.data);
    }
    assert.equal(await readLedgerSize(pool), 600);
    assert.ok([...written.keys()].some((p) => p.includes('.p/')), 'partial files were written');
    const check = async (when: string) => {
      for (const [path, data] of written) assert.deepEqual(await readPostgresLedgerFile(pool, path), data, `${when}: ${path}`);
    };
    await check('as written');
    await prunePostgresPartials(pool, 600, 300);
    await check('pruned');
    await assert.rejects(readPostgresLedgerFile(pool, '../etc/passwd'));

    const client = await pool.connect();
    try {
      await assert.rejects(writeLedgerFiles(client, 500, 501, [{ path: 'tile/entries/002.p/89', data: Buffer.from('forged') }]), /holds 600 records, not the 500/);
    } finally {
      client.release();
    }
    assert.equal(await readLedgerSize(pool), 600);
    assert.deepEqual(await readPostgresLedgerFile(pool, 'tile/entries/002.p/88'), written.get('tile/entries/002.p/88'));
  } finally {
    await pool.end();
    await store.close();
  }
});

test('postgresql ledger: a node that is not the active one leaves the ledger alone; once active it takes every record', async () => {
  const url = await freshDatabase();
  let active = false;
  const store = await createPostgresJournalStore({ url, ledger: true, ledgerActive: () => active });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(record(i))));
    // Past one poll of the ledger (LEDGER_POLL_MS, 1 s): nothing taken.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await readLedgerSize(pool), 0);
    active = true;
    for (let i = 0; i < 50 && (await readLedgerSize(pool)) < 10; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await readLedgerSize(pool), 10);
  } finally {
    await pool.end();
    await store.close();
  }
});

test('postgresql ledger: the retention removes only records the ledger already holds', async () => {
  const url = await freshDatabase();
  let active = false;
  const now = 1_780_000_000_000 + 10 * 24 * 3600_000;
  const store = await createPostgresJournalStore({ url, ledger: true, ledgerActive: () => active, retentionMs: 3600_000, clock: { now: () => now } });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(record(i))));
    // Expired, but not in the ledger yet (this node is not the one extending it): all kept.
    assert.equal(await store.purgeExpired(), 0);
    assert.equal(await store.count(), 10);
    active = true;
    for (let i = 0; i < 50 && (await readLedgerSize(pool)) < 10; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await readLedgerSize(pool), 10);
    assert.equal(await store.purgeExpired(), 10);
    assert.equal(await store.count(), 0);
  } finally {
    await pool.end();
    await store.close();
  }
});
