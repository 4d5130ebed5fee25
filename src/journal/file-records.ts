/**
 * Records of a journal file read by seq, on a read-only connection of their own: what a verifier
 * compares with the ledger's entries (`sealtrail ledger verify --journal`). Opening read-only
 * never creates, migrates or checkpoints the file it is asked to judge.
 */
import Database from 'better-sqlite3';

export interface SeqRecord { readonly seq: number; readonly text: string }

export interface JournalFileRecords {
  /** Up to `limit` records with seq > `afterSeq`, in seq order. */
  since(afterSeq: number, limit: number): SeqRecord[];
  close(): void;
}

export function openJournalFileRecords(path: string): JournalFileRecords {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const since = db.prepare('SELECT seq, text FROM records WHERE seq > ? ORDER BY seq LIMIT ?').safeIntegers(true);
  return {
    since: (afterSeq, limit) => (since.all(afterSeq, limit) as { seq: bigint; text: string }[]).map((r) => ({ seq: Number(r.seq), text: r.text })),
    close: () => db.close(),
  };
}
