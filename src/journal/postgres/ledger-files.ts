/** The ledger's file store (app/ledger.ts LedgerFileStore) on the journal's PostgreSQL database. */
import { openPool } from '../../lib/pg-pool.js';
import { CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS } from './schema.js';
import { prunePostgresPartials, readPostgresLedgerFile, readStoredCheckpoint, writeStoredCheckpoint } from './ledger-store.js';

export interface PostgresLedgerFiles {
  read(path: string): Promise<Buffer | undefined>;
  readCheckpoint(): Promise<string | undefined>;
  writeCheckpoint(note: string): Promise<void>;
  prunePartials(size: number, keep?: number): Promise<void>;
  close(): Promise<void>;
}

/** Connections the ledger's reads (routes, proofs) and checkpoint writes use at most. */
export const LEDGER_POOL_CONNECTIONS = 2;

/** Opens a pool of its own (the journal's schema must exist: the journal store creates it). */
export function postgresLedgerFiles(url: string, onError: (err: Error) => void): PostgresLedgerFiles {
  const pool = openPool({
    url, max: LEDGER_POOL_CONNECTIONS, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    applicationName: 'sealtrail-ledger', onError,
  });
  return {
    read: (path) => readPostgresLedgerFile(pool, path),
    readCheckpoint: () => readStoredCheckpoint(pool),
    writeCheckpoint: (note) => writeStoredCheckpoint(pool, note),
    prunePartials: (size, keep) => prunePostgresPartials(pool, size, keep),
    close: () => pool.end(),
  };
}
