/**
 * The journal store's backends for parameterised tests: one suite, two factories. The PostgreSQL
 * one starts a throwaway cluster on first use (it fails, never skips, when PostgreSQL cannot start)
 * and gives each store a database of its own.
 */
import { after } from 'node:test';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournalStore, type JournalStore } from '../../src/journal/index.js';
import { createPostgresJournalStore } from '../../src/journal/postgres/index.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';

export interface StoreOptions {
  retentionMs?: number;
  clock?: { now(): number };
  /** PostgreSQL: plan as for a large table (no sequential scans or sorts where an index serves). */
  preferIndexes?: boolean;
}

export interface JournalBackend {
  name: 'sqlite' | 'postgresql';
  /** A new, empty store; `dispose` closes it and removes what it kept. */
  open(opts?: StoreOptions): Promise<{ store: JournalStore; dispose(): Promise<void>; url?: string }>;
}

let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;

/** The cluster of this test file (started once, removed after the file's tests). */
export function sharedCluster(): Promise<PostgresCluster> {
  cluster ??= startPostgres();
  return cluster;
}

// Registered when the test file imports this module (at its top level, not inside a test).
after(async () => {
  if (cluster) (await cluster).destroy();
});

export async function freshDatabase(): Promise<string> {
  return (await sharedCluster()).createDatabase(`journal_${process.pid}_${++databases}`);
}

export const sqliteBackend: JournalBackend = {
  name: 'sqlite',
  async open({ preferIndexes: _, ...opts } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'sealtrail-journal-'));
    const store = createJournalStore({ path: join(dir, 'journal.db'), ...opts });
    return { store, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
};

export const postgresBackend: JournalBackend = {
  name: 'postgresql',
  async open({ preferIndexes, ...opts } = {}) {
    const url = await freshDatabase();
    if (preferIndexes) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const name = new URL(url).pathname.slice(1);
      await client.query(`ALTER DATABASE ${name} SET enable_seqscan = off`);
      await client.query(`ALTER DATABASE ${name} SET enable_sort = off`);
      await client.end();
    }
    const store = await createPostgresJournalStore({ url, ...opts });
    return { store, url, dispose: () => store.close() };
  },
};

export const BACKENDS: readonly JournalBackend[] = [sqliteBackend, postgresBackend];
