/**
 * Records of a journal file read by seq, on a read-only connection of their own: what a verifier
 * compares with the ledger's entries (`sealtrail ledger verify --journal`). Opening read-only
 * never creates, migrates or checkpoints the file it is asked to judge.
 */
import Database from 'better-sqlite3';
import type { StoredColumns } from './extract/stored-keys.js';

/** A record's text, and the columns it is found by (checked against the text: extract/stored-keys.ts). */
export interface SeqRecord { readonly seq: number; readonly text: string; readonly columns: StoredColumns }

const KEY_COLUMN_NAMES = ['request_id', 'accessor', 'entity_id', 'correlation_id', 'access_key_id', 'user_arn', 'key_arn',
  'capsule', 'session', 'remote_address', 'path', 'operation', 'outcome'] as const;
type Row = { seq: bigint; time_ns: bigint; kind: string; text: string } & Record<(typeof KEY_COLUMN_NAMES)[number], string | null>;

function seqRecordOf(row: Row): SeqRecord {
  const keys: Record<string, string | null> = {};
  for (const c of KEY_COLUMN_NAMES) keys[c] = row[c];
  return { seq: Number(row.seq), text: row.text, columns: { kind: row.kind, time: row.time_ns, keys } };
}

export interface JournalFileRecords {
  /** Up to `limit` records with seq > `afterSeq`, in seq order. */
  since(afterSeq: number, limit: number): SeqRecord[];
  close(): void;
}

export function openJournalFileRecords(path: string): JournalFileRecords {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const since = db.prepare(`SELECT seq, time_ns, kind, ${KEY_COLUMN_NAMES.join(', ')}, text FROM records WHERE seq > ? ORDER BY seq LIMIT ?`).safeIntegers(true);
  return {
    since: (afterSeq, limit) => (since.all(afterSeq, limit) as Row[]).map(seqRecordOf),
    close: () => db.close(),
  };
}
