/**
 * The ledger's files in PostgreSQL: `ledger_files` holds each tlog-tiles file by its path (the
 * same paths and bytes as `<data dir>/ledger/`), `ledger_state` how many records they hold. An
 * append's files and the new size are one transaction, so after a crash at any moment the stored
 * files are exactly those of the stored size: a checkpoint — signed only for a size reported after
 * that commit — never names data that is not there. The transaction also checks that the size it
 * extends is still the stored one, so a node with a stale view cannot overwrite another's tree.
 *
 * Partial tiles and bundles are answered as on disk (ledger-dir.ts): from the file, else from the
 * full file's prefix, else from the narrowest wider partial.
 */
import type pg from 'pg';
import { SealtrailError } from '../../errors/index.js';
import { CHECKPOINT_PATH, parseLogPath, type LogFile } from '../../ledger/index.js';
import { candidates, partialOf, partialsOf, prefixOf } from '../ledger/ledger-dir.js';
import { inTransaction } from '../../lib/pg-pool.js';

type Queryable = Pick<pg.Pool, 'query'>;

async function readRow(db: Queryable, path: string): Promise<Buffer | undefined> {
  const { rows } = await db.query<{ data: Buffer }>('SELECT data FROM ledger_files WHERE path = $1', [path]);
  return rows[0]?.data;
}

/** A ledger file by its canonical path (checked: nothing outside the layout is read), or undefined. */
export async function readPostgresLedgerFile(db: Queryable, path: string): Promise<Buffer | undefined> {
  parseLogPath(path);
  const partial = partialOf(path);
  let names: string[] = [];
  if (partial) {
    const dir = `${partial.full}.p/`;
    const { rows } = await db.query<{ name: string }>('SELECT substr(path, $2) AS name FROM ledger_files WHERE starts_with(path, $1)', [dir, dir.length + 1]);
    names = rows.map((r) => r.name);
  }
  for (const { file, width } of candidates(path, () => names)) {
    const data = await readRow(db, file);
    if (data) return width === undefined ? data : prefixOf(path, data, width);
  }
  return undefined;
}

/** How many records the stored ledger holds (0 before the first append). */
export async function readLedgerSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ size: string }>('SELECT size FROM ledger_state WHERE id = 1');
  return rows.length === 0 ? 0 : Number(rows[0].size);
}

/**
 * Stores an append's files and its new size, in one transaction, if the stored size is still
 * `from` (the tree this append extends); throws otherwise, storing nothing.
 */
export async function writeLedgerFiles(client: pg.PoolClient, from: number, size: number, files: readonly LogFile[]): Promise<void> {
  await inTransaction(client, async () => {
    const { rows } = await client.query<{ size: string }>('SELECT size FROM ledger_state WHERE id = 1 FOR UPDATE');
    const stored = rows.length === 0 ? 0 : Number(rows[0].size);
    if (stored !== from) throw new SealtrailError('internal', 'ledger_moved', `the stored ledger holds ${stored} records, not the ${from} this node extends: another node wrote it`);
    await client.query(
      'INSERT INTO ledger_files (path, data) SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT (path) DO UPDATE SET data = excluded.data',
      [files.map((f) => f.path), files.map((f) => f.data)],
    );
    // A full tile or bundle replaces its partial versions (still answered from its prefix).
    const full = files.filter((f) => !partialOf(f.path)).map((f) => `${f.path}.p/`);
    if (full.length > 0) await client.query('DELETE FROM ledger_files WHERE path ^@ ANY ($1::text[])', [full]);
    await client.query('INSERT INTO ledger_state (id, size) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET size = excluded.size', [size]);
  });
}

export async function readStoredCheckpoint(db: Queryable): Promise<string | undefined> {
  return (await readRow(db, CHECKPOINT_PATH))?.toString('utf8');
}

export async function writeStoredCheckpoint(db: Queryable, note: string): Promise<void> {
  await db.query('INSERT INTO ledger_files (path, data) VALUES ($1, $2) ON CONFLICT (path) DO UPDATE SET data = excluded.data', [CHECKPOINT_PATH, Buffer.from(note, 'utf8')]);
}

/** prunePartials (ledger-dir.ts) on the stored files: the partials a log of `size` outgrew, but those of the tree `keep`. */
export async function prunePostgresPartials(db: Queryable, size: number, keep?: number): Promise<void> {
  const kept = keep === undefined ? [] : partialsOf(keep).map((p) => `${p.dir}/${p.width}`);
  for (const { dir, width } of partialsOf(size)) {
    const prefix = `${dir}/`;
    await db.query(
      "DELETE FROM ledger_files WHERE starts_with(path, $1) AND (CASE WHEN substr(path, $2) ~ '^[1-9][0-9]{0,2}$' THEN substr(path, $2)::int END) < $3 AND NOT (path = ANY ($4::text[]))",
      [prefix, prefix.length + 1, width, kept],
    );
  }
}
