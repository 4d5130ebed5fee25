/**
 * Journal reads on PostgreSQL cannot starve its appends. Searches come from any token that may
 * read the journal, and each holds a connection while it runs (up to the statement timeout); an
 * append that waits past CONNECT_TIMEOUT_MS for a connection fails, and with the journal required,
 * so does the request it records. Reads therefore draw on connections of their own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresJournalStore } from '../../../src/journal/index.js';
import { CONNECT_TIMEOUT_MS, POOL_CONNECTIONS } from '../../../src/journal/postgres/index.js';
import { freshDatabase } from '../backends.js';

const record = (i: number) => ({ kind: 'server' as const, timeNs: 1_780_000_000_000_000_000n + BigInt(i), text: JSON.stringify({ i }), keys: {} });

test('postgresql: searches holding every connection they may take leave appends theirs', async () => {
  const url = await freshDatabase();
  const journal = await createPostgresJournalStore({ url });
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await journal.append(record(0));
    // Every statement on `records` now waits for the lock: searches hold their connections.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE records IN ACCESS EXCLUSIVE MODE');
    const searches = Promise.allSettled(Array.from({ length: POOL_CONNECTIONS * 2 }, () => journal.query({ order: 'desc', limit: 10 })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const append = journal.append(record(1)).then(() => 'committed', (err: Error) => err.message);
    // Past the time an append may wait for a connection, the lock goes: the append must commit.
    await new Promise((resolve) => setTimeout(resolve, CONNECT_TIMEOUT_MS + 1_000));
    await locker.query('COMMIT');
    assert.equal(await append, 'committed', 'the append had a connection of its own');
    await searches;
    assert.equal(await journal.count(), 2);
  } finally {
    await locker.end();
    await journal.close();
  }
});
