/**
 * Following the journal's arrivals (`after_seq`) for the live timeline. A page that may have more
 * behind it is followed at once: waiting the poll interval after every page would read at most one
 * page per interval, so a burst faster than that (a flood of requests, each one audited) would
 * leave the live view further behind the journal at every poll.
 */
import type { JournalRecord } from './records.js';

export const PAGE_SIZE = 1000;
export const POLL_MS = 2000;

/**
 * Half the journal API's text budget for a page (MAX_PAGE_CHARS, 16 Mi characters): a page that
 * holds this much may have been ended early by the server.
 */
const BUDGET_HINT = 8 * 1024 * 1024;

/** Whether records may follow a page at once: a full page, or one the server ended at its text budget. */
export function morePending(page: readonly JournalRecord[]): boolean {
  if (page.length >= PAGE_SIZE) return true;
  return page.reduce((n, r) => n + (r.text?.length ?? 0), 0) >= BUDGET_HINT;
}

export interface Follow {
  /** The page of records after a seq. */
  read(afterSeq: number): Promise<readonly JournalRecord[]>;
  onRecords(page: readonly JournalRecord[]): void;
  onError(err: Error): void;
  /** Resolves after `ms` with whether to go on (false once the view stopped following). */
  wait(ms: number): Promise<boolean>;
}

/** Follows arrivals after `afterSeq` until `wait` says to stop. */
export async function followArrivals(f: Follow, afterSeq: number): Promise<void> {
  let last = afterSeq;
  let delay = POLL_MS;
  while (await f.wait(delay)) {
    try {
      const page = await f.read(last);
      const newest = page.reduce((m, r) => Math.max(m, r.seq), last);
      if (page.length > 0) f.onRecords(page);
      // A page that does not move past `last` is never followed at once (no loop on a bad answer).
      delay = newest > last && morePending(page) ? 0 : POLL_MS;
      last = newest;
    } catch (err) {
      f.onError(err as Error);
      delay = POLL_MS;
    }
  }
}
