/**
 * The ledger follows the journal database: leaf i is the record with seq i. Each step reads the
 * records past the ledger's size (whoever wrote them: the indexer thread or a `journal import`
 * process), appends them as one batch, writes every file the batch produced, and only then records
 * the new size in `ledger_state`. A crash between the two leaves files ahead of the recorded size;
 * the next start appends the same records again, which rewrites the same bytes (the log is
 * deterministic), so nothing is lost or forked. A seq missing below the newest record is an error,
 * never skipped: the tree's leaf numbers must stay the journal's seqs.
 */
import type Database from 'better-sqlite3';
import { SealtrailError } from '../../errors/index.js';
import { ledgerEntry, LogAppender } from '../../ledger/index.js';
import { ledgerFiles, readLedgerFileSync } from './ledger-dir.js';

/** Records appended per step: one statement, one append, one write of each file. */
export const LEDGER_BATCH = 2000;

export interface LedgerHead {
  readonly size: number;
  readonly root: Buffer;
}

/** Records one transaction inserted: their texts, with dense seqs from `first`. */
export interface CommittedRecords {
  readonly first: number;
  readonly texts: readonly string[];
}

export interface LedgerFollower {
  /** The ledger as stored (opened from `ledger_state` and the files on the first call). */
  head(): Promise<LedgerHead>;
  /**
   * Appends up to LEDGER_BATCH records past the ledger's size; how many it took, and the new head.
   * `committed`, the records a commit just gave seqs, is taken as is when it starts at the ledger's
   * size (the indexer's usual case), saving reading them back.
   */
  follow(committed?: CommittedRecords): Promise<{ added: number; head: LedgerHead }>;
}

export interface LedgerFollowerOptions {
  /** The ledger's directory (`<data dir>/ledger`). */
  dir: string;
  /** Sync each file and its directory entry before `ledger_state` moves. */
  fsync: boolean;
}

export function createLedgerFollower(db: Database.Database, opts: LedgerFollowerOptions): LedgerFollower {
  const files = ledgerFiles(opts.dir, { fsync: opts.fsync });
  const readSize = db.prepare('SELECT size FROM ledger_state WHERE id = 1').pluck();
  const saveSize = db.prepare('INSERT INTO ledger_state (id, size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size');
  const pending = db.prepare('SELECT seq, text FROM records WHERE seq >= ? ORDER BY seq LIMIT ?');
  const fetch = async (path: string): Promise<Uint8Array> => {
    const data = readLedgerFileSync(opts.dir, path);
    if (!data) throw new SealtrailError('internal', 'ledger_file_missing', `the ledger file ${path} is missing`);
    return data;
  };
  let appender: LogAppender | undefined;
  const open = async (): Promise<LogAppender> => {
    appender ??= await LogAppender.open(Number(readSize.get() ?? 0), fetch);
    return appender;
  };
  const headOf = (log: LogAppender): LedgerHead => ({ size: log.size, root: log.root() });

  return {
    head: async () => headOf(await open()),
    async follow(committed) {
      const log = await open();
      const size = log.size;
      const rows = committed && committed.first === size && committed.texts.length <= LEDGER_BATCH
        ? committed.texts.map((text, k) => ({ seq: size + k, text }))
        : pending.all(size, LEDGER_BATCH) as { seq: number; text: string }[];
      if (rows.length === 0) return { added: 0, head: headOf(log) };
      const entries = rows.map((row, k) => {
        if (row.seq !== size + k) {
          throw new SealtrailError('internal', 'ledger_gap', `the journal has no record with seq ${size + k} (the next is ${row.seq}): the ledger stops at ${size + k} leaves`);
        }
        return ledgerEntry(row.seq, Buffer.from(row.text, 'utf8'));
      });
      try {
        const result = log.append(entries);
        files.write(result.files);
        saveSize.run(result.size);
        return { added: rows.length, head: { size: result.size, root: result.root } };
      } catch (err) {
        // The appender is ahead of what was stored: the next step reopens it from storage.
        appender = undefined;
        throw err;
      }
    },
  };
}
