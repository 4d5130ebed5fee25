/**
 * The journal side of `sealtrail ledger verify`: each record must still be what its ledger entry
 * says, so a record changed in the journal database is named by its index. The check rides on
 * the log verifier's own reads: every entry bundle it fetches (and hashes) is handed here, and the
 * journal's records of that bundle are read and compared, one bundle behind at most. A record read
 * with its index columns (kind, time, keys) also has them checked against its text (`ColumnsCheck`):
 * the ledger covers the text, and searches go by the columns.
 */
import { entryMatchesRecord, parseLogPath, scanBundle, TILE_WIDTH, type LogFetcher } from '../ledger/index.js';

/** A record's index columns as read with it: kind, time (ns, or RFC 3339 as the API shows it), keys by column name. */
export interface RecordColumns {
  readonly kind: string;
  readonly time: bigint | string;
  readonly keys: Readonly<Record<string, string | null | undefined>>;
}
export interface SeqRecord { readonly seq: number; readonly text: string; readonly columns?: RecordColumns }
/** The first column of a record that its text contradicts, by name; undefined when none does (journal/extract/stored-keys.ts). */
export type ColumnsCheck = (text: string, columns: RecordColumns) => string | undefined;
/**
 * Up to `limit` journal records with seq > `afterSeq`, in seq order. A page may hold fewer (the
 * journal API ends one early at MAX_PAGE_CHARS of text): the next is asked for after its last seq.
 */
export type RecordPage = (afterSeq: number, limit: number) => Promise<readonly SeqRecord[]>;

export type RecordVerdict =
  | { readonly ok: true; readonly checked: number }
  | { readonly ok: false; readonly index: number; readonly seq: number; readonly reason: string }
  /** The journal could not be read (a remote or file failure, not a finding). */
  | { readonly ok: 'unreadable'; readonly error: string };

/**
 * The first record of entries [first, first + entries.length) that is missing or differs, or whose
 * columns its text contradicts (`checkColumns`). The records are read page after page, each after
 * the last seq of the one before, so a page never repeats a seq: at most one page per entry, and a
 * page that does not advance is an error.
 */
export async function checkRecords(entries: readonly Buffer[], first: number, page: RecordPage, checkColumns?: ColumnsCheck): Promise<RecordVerdict> {
  // Leaf i is the record with seq i.
  const lastSeq = first + entries.length - 1;
  const missing = (seq: number): RecordVerdict =>
    ({ ok: false, index: seq, seq, reason: `record seq ${seq} is not in the journal (deleted, or removed by retention)` });
  let seq = first;
  while (seq <= lastSeq) {
    const afterSeq = seq - 1;
    const records = await page(afterSeq, lastSeq - afterSeq);
    // Nothing past afterSeq: the journal ends before this record.
    if (records.length === 0) return missing(seq);
    const through = Math.min(lastSeq, records.reduce((max, r) => Math.max(max, r.seq), afterSeq));
    if (through === afterSeq) throw new Error(`the journal's page of records after seq ${afterSeq} holds none past it: a page that does not advance`);
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    for (; seq <= through; seq++) {
      const record = bySeq.get(seq);
      if (record === undefined) return missing(seq);
      if (!entryMatchesRecord(entries[seq - first], seq, Buffer.from(record.text, 'utf8'))) {
        return { ok: false, index: seq, seq, reason: `the journal's record seq ${seq} differs from its ledger entry` };
      }
      const column = checkColumns && record.columns && checkColumns(record.text, record.columns);
      if (column) return { ok: false, index: seq, seq, reason: `the journal's record seq ${seq}: its ${column} is not what its ledgered text says` };
    }
  }
  return { ok: true, checked: entries.length };
}

/**
 * Wraps the verifier's fetcher: each entry bundle it reads is compared with the journal. A bundle
 * waits for the previous bundle's records before it is handed back, so memory stays at the
 * bundles the verifier reads ahead, plus one, however far the journal lags. After the first finding nothing more is read.
 */
export function checkingRecords(fetch: LogFetcher, page: RecordPage, checkColumns?: ColumnsCheck): { fetch: LogFetcher; verdict(): Promise<RecordVerdict> } {
  let verdict: RecordVerdict = { ok: true, checked: 0 };
  let previous: Promise<void> = Promise.resolve();

  const check = async (path: string, data: Uint8Array): Promise<void> => {
    if (verdict.ok !== true) return;
    const parsed = parseLogPath(path);
    if (parsed.kind !== 'entries') return;
    const scan = scanBundle(data, parsed.bundle.width);
    // A malformed bundle is the log verifier's finding; its entries cannot be compared.
    if (scan.problem) return;
    try {
      const found = await checkRecords(scan.entries, parsed.bundle.index * TILE_WIDTH, page, checkColumns);
      verdict = found.ok === true ? { ok: true, checked: verdict.checked + found.checked } : found;
    } catch (err) {
      verdict = { ok: 'unreadable', error: err instanceof Error ? err.message : String(err) };
    }
  };

  return {
    async fetch(path) {
      const data = await fetch(path);
      if (!path.startsWith('tile/entries/')) return data;
      // Chained as the bundles arrive (the verifier reads several ahead): verdict() waits for all.
      const before = previous;
      previous = before.then(() => check(path, data));
      await before;
      return data;
    },
    async verdict() {
      await previous;
      return verdict;
    },
  };
}
