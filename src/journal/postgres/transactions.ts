/**
 * The journal's write transactions on PostgreSQL. Each insert holds the counter row's lock
 * (schema.ts): appends and imports from any process are ordered by it and seqs stay dense. Imports
 * also take IMPORT_LOCK first, so an import's check for records already there cannot race another
 * import of the same records, and that check (which can take seconds) holds up no live append.
 */
import type pg from 'pg';
import { inTransaction } from '../../lib/pg-pool.js';
import type { ImportOutcome, JournalAppend } from '../types.js';
import { importKey, insertRecords } from './records.js';

/** The transaction-level advisory lock imports hold, from their check for records to their commit. */
const IMPORT_LOCK = 0x5ea17a1e;

/** Inserts `records` with the next seqs; resolves with the first one once committed. */
export async function appendRecords(client: pg.PoolClient, records: readonly JournalAppend[]): Promise<number> {
  return inTransaction(client, async () => {
    const { rows } = await client.query<{ first: string }>('UPDATE journal_counter SET next = next + $1 WHERE id = 1 RETURNING next - $1 AS first', [records.length]);
    const first = Number(rows[0].first);
    const insert = insertRecords(first, records);
    await client.query(insert.sql, insert.params);
    return first;
  });
}

/** Imports `records`, skipping any whose kind and text an imported record already has (or one earlier in the batch). */
export async function importRecords(client: pg.PoolClient, records: readonly JournalAppend[]): Promise<ImportOutcome> {
  if (records.length === 0) return { added: 0, duplicates: 0 };
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
    // Same kind and time, then the text: records_by_kind finds them (kind, time_ns), as on SQLite.
    const { rows: present } = await client.query<{ i: string }>(
      'SELECT b.i FROM unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS b(kind, time_ns, text, i) '
        + 'WHERE EXISTS (SELECT 1 FROM records r WHERE r.kind = b.kind AND r.time_ns = b.time_ns AND r.text = b.text AND r.origin_file IS NOT NULL)',
      [records.map((r) => r.kind), records.map((r) => r.timeNs.toString()), records.map((r) => r.text)],
    );
    const taken = new Set(present.map((row) => Number(row.i) - 1));
    const seen = new Set<string>();
    const fresh = records.filter((r, i) => {
      if (taken.has(i)) return false;
      const key = importKey(r);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (fresh.length > 0) {
      // Only now the counter row: live appends wait for this insert, not for the check above.
      const { rows: counter } = await client.query<{ next: string }>('SELECT next FROM journal_counter WHERE id = 1 FOR UPDATE');
      const first = Number(counter[0].next);
      const insert = insertRecords(first, fresh);
      await client.query(insert.sql, insert.params);
      await client.query('UPDATE journal_counter SET next = $1 WHERE id = 1', [first + fresh.length]);
    }
    return { added: fresh.length, duplicates: records.length - fresh.length };
  });
}
