/**
 * Journal searches off the thread that answers requests. SQLite runs a query to its end once it
 * has started, and a search whose filters are each common but rarely together — an address most
 * traffic comes from, and a capsule or entity it never touched — walks one filter's whole index to
 * find nothing: ~1 s per million records, during which that thread would answer no request,
 * health checks included. Queries run here on a worker thread with its own read-only connection,
 * one at a time, each within JOURNAL_QUERY_TIMEOUT_MS; one that outlasts it is refused
 * (`journal_query_timeout`, naming how to narrow it) and its worker terminated, which ends the
 * query, and the next query gets a fresh worker (lib/serial-worker.ts). Queries waiting for it are
 * served in turn per reader (lib/reader-turns.ts: a token, or an address), so a token that keeps
 * its reads in flight busy with slow queries delays another's by one query, not by all of its own.
 */
import type { Worker } from 'node:worker_threads';
import { invalid, internal } from '../../errors/index.js';
import { createSerialWorker, type JobOutcome } from '../../lib/serial-worker.js';
import { spawnWorker } from '../../lib/spawn-worker.js';
import { currentReader } from '../../lib/reader-turns.js';

/** How long one search or timeline query may run. */
export const JOURNAL_QUERY_TIMEOUT_MS = 10_000;
/** How long a new reader may take to open the database. */
const STARTUP_MS = 30_000;

export interface ReaderRequest { sql: string; params: unknown[]; maxChars?: number }
export type ReaderReply =
  | { kind: 'ready' }
  | { kind: 'rows'; rows: Record<string, unknown>[] }
  | { kind: 'error'; message: string };

export interface JournalReader {
  /**
   * The rows of `sql`, as better-sqlite3 returns them with safe integers; with `maxChars`, only
   * until their `text` columns pass that many characters (rowsWithin).
   */
  all(sql: string, params: readonly unknown[], maxChars?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface JournalReaderSettings {
  /** Starts a worker that speaks ReaderRequest/ReaderReply (tests give one that hangs). */
  spawn?: () => Worker;
  timeoutMs?: number;
}

const settle = (reply: unknown): JobOutcome<Record<string, unknown>[]> => {
  const r = reply as Exclude<ReaderReply, { kind: 'ready' }>;
  if (r.kind === 'rows') return { value: r.rows };
  return { error: internal(new Error(`the journal's reader failed: ${r.message}`)) };
};

/** The rows of a statement until their `text` passes `maxChars` (the row that passes it included). */
export function rowsWithin(rows: Iterable<Record<string, unknown>>, maxChars: number | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let chars = 0;
  for (const row of rows) {
    out.push(row);
    if (maxChars === undefined) continue;
    chars += typeof row.text === 'string' ? row.text.length : 0;
    if (chars > maxChars) break;
  }
  return out;
}

export function createJournalReader(path: string, settings: JournalReaderSettings = {}): JournalReader {
  const timeoutMs = settings.timeoutMs ?? JOURNAL_QUERY_TIMEOUT_MS;
  const worker = createSerialWorker<ReaderRequest>({
    spawn: settings.spawn ?? (() => spawnWorker(import.meta.url, 'reader-worker', { path })),
    startupMs: STARTUP_MS,
    name: "the journal's reader",
    failure: (message, reason) => (reason === 'timeout'
      ? invalid(`the journal query did not finish within ${timeoutMs} ms: narrow it with since and until, or with a filter fewer records match`, 'journal_query_timeout')
      : internal(new Error(message))),
  });
  return {
    all: (sql, params, maxChars) => worker.run({ sql, params: [...params], maxChars }, timeoutMs, settle, currentReader()),
    close: () => worker.close(),
  };
}
