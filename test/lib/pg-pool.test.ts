/**
 * A node that stops inside a transaction (paused, or cut off without a reset) must not hold its
 * row locks against the node that takes over: PostgreSQL ends such a session after
 * IDLE_IN_TRANSACTION_TIMEOUT_MS, for the journal's, ledger's and event store's pools and storage's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_IN_TRANSACTION_TIMEOUT_MS, openPool } from '../../src/lib/pg-pool.js';
import { createPostgresStorage } from '../../src/storage/postgresql/pg-storage.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';

let cluster: PostgresCluster;
before(async () => { cluster = await startPostgres(); });
after(() => cluster?.destroy());

test('a transaction left open by a stopped holder ends, and its row lock goes to the next writer', async () => {
  const pool = openPool({ url: cluster.url, max: 2, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'pg-pool-test', onError: () => undefined });
  try {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n bigint)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
    const stopped = await pool.connect();
    stopped.on('error', () => undefined);
    await stopped.query('BEGIN');
    await stopped.query('UPDATE counter SET n = n + 1 WHERE id = 1');
    // The holder sends nothing more, as a paused process would. The next writer waits for the lock...
    const start = Date.now();
    await pool.query('UPDATE counter SET n = n + 10 WHERE id = 1');
    const waited = Date.now() - start;
    // ...until the server ends the idle transaction, which rolls back.
    assert.ok(waited >= IDLE_IN_TRANSACTION_TIMEOUT_MS - 500 && waited < IDLE_IN_TRANSACTION_TIMEOUT_MS + 5_000, `waited ${waited} ms`);
    assert.equal((await pool.query('SELECT n FROM counter WHERE id = 1')).rows[0].n, '10');
    await assert.rejects(stopped.query('COMMIT'));
    stopped.release(true);
  } finally {
    await pool.end();
  }
});

test('the storage pool ends idle transactions the same way', async () => {
  const storage = await createPostgresStorage({ connectionUrl: cluster.url, table: 'idle_check', maxParallel: 2 });
  try {
    const shown = (await storage.pool.query('SHOW idle_in_transaction_session_timeout')).rows[0].idle_in_transaction_session_timeout;
    assert.equal(shown, `${IDLE_IN_TRANSACTION_TIMEOUT_MS / 1000}s`);
  } finally {
    await storage.close();
  }
});

test('a node opening the journal while another appends does not deadlock with it (the schema runs one statement at a time)', async () => {
  const { openJournalPool } = await import('../../src/journal/postgres/schema.js');
  const url = cluster.createDatabase('journal_reopen');
  const first = await openJournalPool(url, () => undefined);
  const appender = await first.connect();
  try {
    // The running node's append, as journal/postgres/transactions.ts makes it: the counter's row
    // lock first, then the records.
    await appender.query('BEGIN');
    await appender.query('UPDATE journal_counter SET next = next + 1 WHERE id = 1');
    const reopening = openJournalPool(url, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the other node's schema reaches the counter
    await appender.query("INSERT INTO records (seq, time_ns, kind, text) VALUES (0, 1, 'server', '{}')");
    await appender.query('COMMIT');
    const second = await reopening;
    assert.equal((await second.query('SELECT next FROM journal_counter')).rows[0].next, '1');
    await second.end();
  } finally {
    appender.release();
    await first.end();
  }
});
