/**
 * `sealtrail journal export` straight from a journal file: every record matching a filter, oldest
 * first, as export lines, in pages of EXPORT_PAGE records — each page one index range scan after
 * the last, bounded by the newest seq when the export began, like the API's pages (records that
 * arrive meanwhile are not in it, and none is skipped or repeated).
 *
 * Millions of records go through here, so a row is read as an array (no object per row) and its
 * line is encoded straight into the output: the same bytes as the CLI's exportLine of the API's
 * view (src/cli/commands/journal-query.ts) — the view's fields in their order, then the text as
 * kept, on one line (lib/json-line.ts) — which the tests check.
 */
import type Database from 'better-sqlite3';
import { oneLineJson } from '../lib/json-line.js';
import { rfc3339Nano } from '../lib/time.js';
import { querySql } from './query.js';
import { openJournalDatabase } from './schema.js';
import { KEY_COLUMNS, type JournalFilter, type JournalKeys, type JournalStore } from './types.js';

/** Records per page: large, so a page's query is paid rarely. */
export const EXPORT_PAGE = 10_000;
/** How much of the file an export maps to read it (SQLite's own ceiling, about 2 GiB, applies). */
export const EXPORT_MMAP_BYTES = 2 ** 31;
/**
 * Bytes written at once. Lines are encoded straight into a chunk of this size (a new one each
 * time, as the writer may still hold the last): no long string is ever built, copied or flattened.
 */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

const KEYS = Object.values(KEY_COLUMNS);
const KEY_NAMES = Object.keys(KEY_COLUMNS) as (keyof JournalKeys)[];
/** Row layout: seq, time_ns, kind, origin_file, origin_line, the keys (the view's order), text. */
const COLUMNS = ['seq', 'time_ns', 'kind', 'origin_file', 'origin_line', ...KEYS, 'text'].map((c) => `r.${c}`).join(', ');
const TEXT = 5 + KEYS.length;
/** `,"request_id":` ... : each key's name as it precedes its value in a line. */
const KEY_HEADS = KEYS.map((k) => `,${JSON.stringify(k)}:`);

const json = (v: unknown): string => (v === null ? 'null' : JSON.stringify(v));

/** The line up to its record's text. */
function headOf(row: unknown[]): string {
  const file = row[3];
  let head = `{"seq":${row[0] as bigint},"time":"${rfc3339Nano(row[1] as bigint)}","kind":${JSON.stringify(row[2])},"imported":${
    file === null ? 'null' : `{"file":${JSON.stringify(file)},"line":${row[4] as bigint}}`}`;
  for (let i = 0; i < KEY_HEADS.length; i++) head += KEY_HEADS[i] + json(row[5 + i]);
  return head + ',"record":';
}

/** Fills chunks with lines and hands each full one to `write`. */
class ChunkWriter {
  private chunk = Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
  private used = 0;

  constructor(private readonly write: (chunk: Buffer) => unknown) {}

  /** Appends head + text + `}\n`; a promise (to await) only when a full chunk was handed over. */
  line(head: string, text: string): Promise<void> | undefined {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: room for that is room for the line.
    const most = (head.length + text.length) * 3 + 2;
    if (this.used + most <= this.chunk.length) {
      this.append(head, text);
      return undefined;
    }
    return this.flush().then(() => {
      if (most > this.chunk.length) this.chunk = Buffer.allocUnsafe(most);
      this.append(head, text);
    });
  }

  private append(head: string, text: string): void {
    this.used += this.chunk.write(head, this.used);
    this.used += this.chunk.write(text, this.used);
    this.chunk[this.used++] = 0x7d; // }
    this.chunk[this.used++] = 0x0a; // \n
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
    this.used = 0;
    await this.write(full);
  }
}

/** Writes every matching record's line through `write`, in chunks of whole lines; returns how many. */
export async function exportRecords(db: Database.Database, filter: JournalFilter, write: (chunk: Buffer) => unknown, page = EXPORT_PAGE): Promise<number> {
  const out = new ChunkWriter(write);
  const throughSeq = Number(db.prepare('SELECT COALESCE(MAX(seq), 0) FROM records').pluck().get());
  let after: { timeNs: bigint; seq: number } | undefined;
  let count = 0;
  for (;;) {
    const { sql, params } = querySql({ ...filter, order: 'asc', limit: page, after, throughSeq }, COLUMNS);
    let last: unknown[] | undefined;
    for (const row of db.prepare(sql).raw(true).safeIntegers(true).iterate(...params) as IterableIterator<unknown[]>) {
      const full = out.line(headOf(row), oneLineJson(row[TEXT] as string));
      if (full) await full;
      last = row;
      count++;
    }
    if (last === undefined) {
      await out.flush();
      return count;
    }
    after = { timeNs: last[1] as bigint, seq: Number(last[0]) };
  }
}

/**
 * exportRecords through a store's query API (the PostgreSQL journal): the same pages and the same
 * bytes per line.
 */
export async function exportJournalStore(store: JournalStore, filter: JournalFilter, write: (chunk: Buffer) => unknown, page = EXPORT_PAGE): Promise<number> {
  const out = new ChunkWriter(write);
  const throughSeq = Math.max(0, await store.lastSeq());
  let after: { timeNs: bigint; seq: number } | undefined;
  let count = 0;
  for (;;) {
    const records = await store.query({ ...filter, order: 'asc', limit: page, after, throughSeq });
    for (const r of records) {
      const row: unknown[] = [r.seq, r.timeNs, r.kind, r.origin?.file ?? null, r.origin?.line ?? null, ...KEY_NAMES.map((k) => r.keys[k] ?? null)];
      const full = out.line(headOf(row), oneLineJson(r.text));
      if (full) await full;
      count++;
    }
    const last = records.at(-1);
    if (last === undefined) {
      await out.flush();
      return count;
    }
    after = { timeNs: last.timeNs, seq: last.seq };
  }
}

/** exportRecords over the journal file at `path`, on a connection of its own. */
export async function exportJournalFile(path: string, filter: JournalFilter, write: (chunk: Buffer) => unknown): Promise<number> {
  const db = openJournalDatabase(path);
  // Read through a memory map: no copy of each page into SQLite's cache (SQLite caps the size).
  db.pragma(`mmap_size = ${EXPORT_MMAP_BYTES}`);
  try {
    return await exportRecords(db, filter, write);
  } finally {
    db.close();
  }
}
