/**
 * The journal query benchmark (journal-query.ts) on PostgreSQL: the same fixture, copied with its
 * seqs into a throwaway cluster (test/helpers/postgres.ts; fsync off — it measures queries, not
 * commits), analysed, then the same queries through the same functions. Prints the SQLite figures
 * at the same size next to it when BENCH_COMPARE=1.
 *
 *   node --import tsx bench/journal-query-pg.ts        # BENCH_RECORDS (default 1000000), BENCH_RUNS (200)
 */
import pg from 'pg';
import { createJournalStore, createPostgresJournalStore } from '../src/journal/index.js';
import { insertRecords } from '../src/journal/postgres/records.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { benchJournalQuery } from './journal-query.js';

/** Records per INSERT while copying. */
const COPY_BATCH = 10_000;

async function copyInto(url: string, fixturePath: string, log: (line: string) => void): Promise<void> {
  const from = createJournalStore({ path: fixturePath });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const t0 = performance.now();
  try {
    let after = -1;
    for (;;) {
      const rows = await from.readSince(after, COPY_BATCH);
      if (rows.length === 0) break;
      const insert = insertRecords(rows[0].seq, rows);
      await client.query(insert.sql, insert.params);
      after = rows.at(-1)!.seq;
    }
    await client.query('UPDATE journal_counter SET next = $1 WHERE id = 1', [after + 1]);
    await client.query('VACUUM ANALYZE records');
    log(`copied ${after + 1} records into PostgreSQL in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await client.end();
    await from.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 200);
  const log = (l: string) => console.error(l);
  const cluster = await startPostgres();
  try {
    const url = cluster.createDatabase('bench');
    const r = await benchJournalQuery({
      records, runs, log,
      open: async (path) => {
        // The schema first (the store creates it), then the rows with their seqs.
        await (await createPostgresJournalStore({ url })).close();
        await copyInto(url, path, log);
        return createPostgresJournalStore({ url });
      },
    });
    console.log(`PostgreSQL, ${r.records.toLocaleString('en-US')} records\n\n${r.table}`);
    if (process.env.BENCH_COMPARE === '1') {
      const s = await benchJournalQuery({ records, runs, log });
      console.log(`\nSQLite, ${s.records.toLocaleString('en-US')} records\n\n${s.table}`);
    }
  } finally {
    cluster.destroy();
  }
}
