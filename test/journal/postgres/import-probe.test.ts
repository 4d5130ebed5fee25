/**
 * An import on PostgreSQL looks for each record among the imported ones before it inserts; that
 * look can take long (many imported records sharing a time: CloudTrail's are to the second). The
 * live server's appends must not wait for it: only the insert holds the counter row they need.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresJournalStore } from '../../../src/journal/index.js';
import { freshDatabase } from '../backends.js';

const TIME = 1_780_000_000_000_000_000n;
const STORED = 300_000;

test('postgresql: an import looking through many imported records of one time does not hold up live appends', async () => {
  const url = await freshDatabase();
  const journal = await createPostgresJournalStore({ url });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await journal.append({ kind: 'server', timeNs: TIME, text: '{"start":true}', keys: {} });
    // Imported records of one second, as a large CloudTrail import leaves them.
    await client.query(
      `INSERT INTO records (seq, time_ns, kind, origin_file, origin_line, text)
       SELECT g, $1, 'cloudtrail', 'old.json', g, '{"eventTime":"2026-05-28T20:26:40Z","n":' || g || ',"pad":"' || repeat('x', 200) || '"}' FROM generate_series(1, $2) g`,
      [TIME.toString(), STORED],
    );
    await client.query('UPDATE journal_counter SET next = $1', [STORED + 1]);
    await client.query('ANALYZE records');
    const batch = Array.from({ length: 5000 }, (_, i) => ({ kind: 'cloudtrail' as const, timeNs: TIME, text: `{"eventTime":"2026-05-28T20:26:40Z","i":${i}}`, keys: {}, origin: { file: 'new.json', line: i + 1 } }));
    const order: string[] = [];
    const imported = journal.importBatch(batch).then((outcome) => { order.push('import'); return outcome; });
    // Once the import is looking for its records, a live record is appended.
    for (let i = 0; i < 200; i++) {
      const { rows } = await client.query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%unnest%' AND pid <> pg_backend_pid()");
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const live = journal.append({ kind: 'server', timeNs: TIME, text: '{"live":true}', keys: {} }).then(() => order.push('live'));
    assert.deepEqual(await imported, { added: 5000, duplicates: 0 });
    await live;
    assert.deepEqual(order, ['live', 'import'], 'the live append committed while the import was still looking');
    // Seqs stay dense and each record has one.
    const { rows } = await client.query<{ n: string; top: string }>('SELECT COUNT(*) AS n, MAX(seq) AS top FROM records');
    assert.deepEqual([Number(rows[0].n), Number(rows[0].top)], [STORED + 5002, STORED + 5001]);
  } finally {
    await client.end();
    await journal.close();
  }
});
