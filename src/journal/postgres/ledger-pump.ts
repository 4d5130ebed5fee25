/**
 * The ledger following the journal on PostgreSQL, on the node that writes the journal: after each
 * commit (and every LEDGER_POLL_MS, for records another process imported) it appends the records
 * past the ledger's size, LEDGER_BATCH at a time, and stores the files and the new size in one
 * transaction (ledger-store.ts). One step runs at a time. It reports as the SQLite indexer thread
 * does: the head after each step, a failure once per episode (retried; the journal goes on).
 */
import type pg from 'pg';
import { SealtrailError } from '../../errors/index.js';
import { withClient } from '../../lib/pg-pool.js';
import { ledgerEntry, LogAppender } from '../../ledger/index.js';
import type { IndexerMessage } from '../indexer/state.js';
import { LEDGER_BATCH } from '../ledger/ledger-follower.js';
import { readLedgerSize, readPostgresLedgerFile, writeLedgerFiles } from './ledger-store.js';

/** How often the ledger looks for records it has not taken (imports, a failed step to retry). */
export const LEDGER_POLL_MS = 1000;

export interface LedgerPump {
  start(): void;
  /** Records were committed: take them soon. */
  kick(): void;
  /** Waits for the step in flight; no step starts after. */
  close(): Promise<void>;
}

export function createLedgerPump(pool: pg.Pool, say: (message: IndexerMessage) => void, active: () => boolean): LedgerPump {
  let appender: LogAppender | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let failing = false;
  let announced = false;
  let timer: NodeJS.Timeout | undefined;

  const fetch = async (path: string): Promise<Uint8Array> => {
    const data = await readPostgresLedgerFile(pool, path);
    if (!data) throw new SealtrailError('internal', 'ledger_file_missing', `the ledger file ${path} is missing`);
    return data;
  };

  /** One batch; how many records it took. */
  const step = async (): Promise<number> => {
    // Reopened whenever the stored log is not where this node left it (another node extended it).
    const stored = await readLedgerSize(pool);
    if (appender?.size !== stored) appender = await LogAppender.open(stored, fetch);
    const log = appender;
    const size = log.size;
    const { rows } = await pool.query<{ seq: string; text: string }>('SELECT seq, text FROM records WHERE seq >= $1 ORDER BY seq LIMIT $2', [size, LEDGER_BATCH]);
    if (rows.length > 0) {
      const entries = rows.map((row, k) => {
        if (Number(row.seq) !== size + k) {
          throw new SealtrailError('internal', 'ledger_gap', `the journal has no record with seq ${size + k} (the next is ${row.seq}): the ledger stops at ${size + k} leaves`);
        }
        return ledgerEntry(size + k, Buffer.from(row.text, 'utf8'));
      });
      const result = log.append(entries);
      await withClient(pool, (client) => writeLedgerFiles(client, size, result.size, result.files));
    }
    if (rows.length > 0 || !announced) say({ kind: 'ledger', size: log.size, root: log.root() });
    announced = true;
    return rows.length;
  };

  const run = async (): Promise<void> => {
    do {
      again = false;
      try {
        while (!closed && (await step()) === LEDGER_BATCH) { /* more may wait */ }
        if (failing) say({ kind: 'ledger_recovered' });
        failing = false;
      } catch (err) {
        // The appender may be ahead of what was stored: the next step reopens it from storage.
        appender = undefined;
        if (!failing) say({ kind: 'ledger_failing', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
        failing = true;
        return;
      }
    } while (again && !closed);
  };

  const kick = (): void => {
    if (closed || !active()) return;
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => { running = undefined; });
  };

  return {
    start() {
      kick();
      timer = setInterval(kick, LEDGER_POLL_MS);
      timer.unref();
    },
    kick,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
