/**
 * Events that wait for the event store (recorder.ts) live in memory, and the journal holds each of
 * them: a server that stops before the store takes them back must still get them into the store.
 * While events wait, a mark in the barrier says since when (`sys/trail-events/waiting-since`);
 * at the next unseal the journal's CloudTrail records from then on that the store lacks (by event
 * id) are stored, in the journal's order, and the mark is removed. The mark is written at the
 * start of an episode and removed at its end, so a store that never failed costs nothing here.
 */
import { MAX_PAGE, type JournalPosition, type JournalStore } from '../journal/index.js';
import type { Clock } from '../lib/clock.js';
import { getJson, putJson, type Storage } from '../storage/index.js';
import type { CloudTrailRecord } from './format.js';
import type { EventStore } from './store/types.js';

const MARK_KEY = 'waiting-since';
/** Taken off the mark's time: the first waiting event was timed by the journal just before the store refused it. */
const MARK_MARGIN_MS = 60_000;
/** How long the unseal waits for the journal to index what its spool holds before restoring. */
const CATCH_UP_MS = 30_000;

export interface WaitingMark {
  /** The episode started: events wait from about now. */
  set(): Promise<void>;
  /** The episode ended: every waiting event is in the store. */
  clear(): Promise<void>;
  /** Since when (ms) events may have waited when the last process stopped; undefined when none did. */
  get(): Promise<number | undefined>;
}

/** The mark, in `storage` (a barrier view of its own). Writes run one after another, in order. */
export function waitingMark(storage: Storage, clock: Clock): WaitingMark {
  let writes: Promise<void> = Promise.resolve();
  const queue = (write: () => Promise<void>) => (writes = writes.then(write, write));
  return {
    set: () => queue(async () => {
      // An earlier mark (a process stopped while events waited) is older: it stays until restored.
      if ((await getJson<{ sinceMs: number }>(storage, MARK_KEY)) === undefined) {
        await putJson(storage, MARK_KEY, { sinceMs: clock.now() - MARK_MARGIN_MS });
      }
    }),
    clear: () => queue(() => storage.delete(MARK_KEY)),
    get: async () => (await getJson<{ sinceMs: number }>(storage, MARK_KEY))?.sinceMs,
  };
}

/**
 * Stores the journal's live CloudTrail records since `sinceMs` that the store lacks (imported
 * records never were events of this server); returns how many it stored.
 */
export async function restoreWaitingEvents(journal: JournalStore, store: EventStore, sinceMs: number): Promise<number> {
  await journal.caughtUp(CATCH_UP_MS);
  const throughSeq = await journal.lastSeq();
  let after: JournalPosition | undefined;
  let restored = 0;
  for (;;) {
    const page = await journal.query({
      kinds: ['cloudtrail'], imported: false, sinceNs: BigInt(sinceMs) * 1_000_000n, order: 'asc', limit: MAX_PAGE, after, throughSeq,
    });
    for (const r of page) {
      const record = JSON.parse(r.text) as CloudTrailRecord;
      const stored = await store.query({ attribute: { key: 'EventId', value: record.eventID }, limit: 1 });
      if (stored.length > 0) continue;
      await store.append({ record, json: r.text, timeMs: Number(r.timeNs / 1_000_000n) });
      restored++;
    }
    if (page.length < MAX_PAGE) return restored;
    const last = page[page.length - 1];
    after = { timeNs: last.timeNs, seq: last.seq };
  }
}
