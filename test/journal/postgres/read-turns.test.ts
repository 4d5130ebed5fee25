/**
 * The PostgreSQL journal's searches share a few connections: queries waiting for one are served in
 * turn per reader (a token, or an address), so one token's queue of slow queries does not hold up
 * another's behind all of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresJournalStore } from '../../../src/journal/postgres/index.js';
import { READ_POOL_CONNECTIONS } from '../../../src/journal/postgres/schema.js';
import { asReader } from '../../../src/lib/reader-turns.js';
import { freshDatabase } from '../backends.js';

test('queries waiting for a read connection are served in turn per reader', async () => {
  const url = await freshDatabase();
  const store = await createPostgresJournalStore({ url });
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await store.append({ kind: 'vault-request', timeNs: 1n, text: '{}', keys: { entityId: 'e' } });
    // Every search waits on this lock, holding its connection, until it is released.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE records IN ACCESS EXCLUSIVE MODE');
    const done: string[] = [];
    const ask = (reader: string, name: string) => asReader(reader, () => store.query({ keys: { entityId: 'e' }, order: 'asc', limit: 1 })).then(() => { done.push(name); });
    const greedy = Array.from({ length: READ_POOL_CONNECTIONS + 6 }, (_, i) => ask('token:greedy', `greedy-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = ask('token:other', 'other');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await locker.query('COMMIT');
    await Promise.all([...greedy, other]);
    // In arrival order it would start after all the greedy token's, and end among the last.
    assert.ok(done.indexOf('other') < READ_POOL_CONNECTIONS + 3, `another token's query waits for one of the greedy token's queued ones at most (${done.join(', ')})`);
  } finally {
    await locker.end();
    await store.close();
  }
});
