/** What the indexer thread is told when it starts and asked later, what it says back, and where it stopped. */
import type Database from 'better-sqlite3';
import { position } from '../spool/segments.js';
import type { FileIdentity } from '../../lib/file-identity.js';

export interface IndexerSettings {
  /** The journal database. */
  path: string;
  /** The database file the server opened: the indexer writes only while `path` names it. */
  database: FileIdentity;
  /** The spool directory. */
  dir: string;
  fsync: boolean;
  /** The thread's nice value (19: the lowest priority). */
  nice: number;
  /** The ledger's directory: when set, every indexed record is appended to the ledger (ledger/). */
  ledgerDir?: string;
}

export type IndexerMessage =
  | { kind: 'failing'; message: string; code?: string }
  | { kind: 'recovered' }
  | { kind: 'corrupt'; segment: number; offset: number; reason: string }
  /** From the spool's writer: dropping written pages from the page cache failed (once per episode). */
  | { kind: 'cache'; message: string; code?: string }
  /** From the spool's writer: the segment it writes lost its name, and its bytes were put back under it (spool-writer.ts). */
  | { kind: 'spool_restored'; segment: number; fate: 'deleted' | 'replaced' }
  /** The ledger's files and `ledger_state` hold `size` records, with this root (sent at start and after each append). */
  | { kind: 'ledger'; size: number; root: Uint8Array }
  /** The ledger cannot follow the journal (a gap, a missing file, a failed write); once per episode. */
  | { kind: 'ledger_failing'; message: string; code?: string }
  | { kind: 'ledger_recovered' };

/** Asked of the indexer thread: remove the records older than `cutoffNs` (the retention's purge), between its chunks. */
export interface PurgeRequest {
  kind: 'purge';
  id: number;
  cutoffNs: bigint;
}

/** The indexer's answer to a PurgeRequest: how many records it removed, or why it could not. */
export type PurgeReply =
  | { kind: 'purged'; id: number; removed: number }
  | { kind: 'purge_failed'; id: number; message: string; code?: string };

/** The spool position indexing has reached (the start of the spool when nothing was indexed yet). */
export function readSpoolState(db: Database.Database): bigint {
  const row = db.prepare('SELECT segment, byte_offset FROM spool_state WHERE id = 1').get() as { segment: number; byte_offset: number } | undefined;
  return row ? position(row.segment, row.byte_offset) : position(0, 0);
}
