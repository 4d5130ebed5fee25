/**
 * When logged events are indexed (event-log.ts). Indexing takes the thread that answers
 * requests, so while that thread is busy it holds back — up to a bound on what waits — and when
 * it is idle, what gathered goes in large transactions (a commit of thousands of rows costs a
 * fraction of thousands of small ones). Every read of the indexed tables first catches up with
 * every event acknowledged before it (`catchUp`), so deferring changes when the work is done,
 * never what a query sees.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as breathe } from 'node:timers/promises';
import type { EventLog } from './event-log.js';

/** Rows per indexing transaction: large enough to share index pages, small enough to yield often. */
export const ROWS_PER_INDEX_COMMIT = 2000;
/** How often the indexer looks at the thread's load and the log. */
const CHECK_MS = 100;
/** Event-loop utilization above which the thread counts as busy and indexing holds back. */
const BUSY_UTILIZATION = 0.5;
/**
 * Rows that may wait in the log while the thread is busy (~2 KiB each). Past it, indexing goes
 * on under load until half of that is left — whole transactions of ROWS_PER_INDEX_COMMIT, not a
 * trickle of small ones — so a query's catch-up stays bounded too.
 */
export const MAX_DEFERRED_ROWS = 20_000;

export interface DeferredIndexing {
  /** Indexes every event acknowledged so far, yielding between transactions. */
  catchUp(): Promise<void>;
  /** The same, without yielding (for callers that must not let an append in between). */
  catchUpNow(): void;
  close(): void;
}

export interface DeferredIndexingOptions {
  /** Told when a background step fails (the next check retries; a query's catch-up throws). */
  onError?: (err: unknown) => void;
}

export function deferIndexing(log: EventLog, opts: DeferredIndexingOptions = {}): DeferredIndexing {
  let sample = performance.eventLoopUtilization();
  let running = false;

  const step = async () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, sample).utilization > BUSY_UTILIZATION;
    sample = now;
    // Idle: until the log is empty. Busy: nothing until past the bound, then down to half of it.
    if (running || log.pending() <= (busy ? MAX_DEFERRED_ROWS : 0)) return;
    const keep = busy ? MAX_DEFERRED_ROWS / 2 : 0;
    running = true;
    try {
      for (;;) {
        const moved = log.indexChunk(log.lastSeq(), ROWS_PER_INDEX_COMMIT);
        if (moved === 0 || log.pending() <= keep) break;
        await breathe();
      }
    } catch (err) {
      opts.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void step(), CHECK_MS);
  timer.unref();

  return {
    async catchUp() {
      const through = log.lastSeq();
      while (log.indexChunk(through, ROWS_PER_INDEX_COMMIT) === ROWS_PER_INDEX_COMMIT) await breathe();
    },
    catchUpNow() {
      const through = log.lastSeq();
      while (log.indexChunk(through, ROWS_PER_INDEX_COMMIT) === ROWS_PER_INDEX_COMMIT);
    },
    close() {
      clearInterval(timer);
    },
  };
}
