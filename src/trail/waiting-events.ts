/**
 * Completing the event store from the journal. The recorder appends events to the store in the
 * order it recorded them, and the journal holds each of them first (recorder.ts): so what a
 * stopped or crashed process left out of the store — events that waited for a store that could
 * not take them — are journal CloudTrail records after the newest event the store holds. At every
 * start, those recorded before it are stored, in the journal's order, once the journal has indexed
 * what it holds; after an episode in which refused calls' events could not wait, the same from
 * that episode's start. Only events recorded before the completion began are looked at: what is
 * recorded after waits in the recorder, so nothing is stored twice.
 */
import { MAX_PAGE, type JournalPosition, type JournalStore } from '../journal/index.js';
import type { CloudTrailRecord } from './format.js';
import type { JournalCompletion } from './recorder.js';
import { MAX_HELD_IDS, type EventStore } from './store/types.js';

/**
 * Taken off the newest stored event's time: an event is timed when its call is recorded, and
 * events recorded close together may reach the store in another order than their times.
 */
const MARGIN_MS = 60_000;

/** Journal records looked at a time: one lookup in the store, one commit of those it lacks. */
const PAGE = Math.min(MAX_PAGE, MAX_HELD_IDS);

export interface CompletionDeps {
  journal: JournalStore;
  store: EventStore;
  /** The store keeps events this long: nothing older is stored again. */
  retentionMs: number;
  now(): number;
  /** Aborted when the server seals or stops. */
  signal: AbortSignal;
}

/** The store's completion from the journal, as the recorder drives it (recorder.ts). */
export function journalCompletion(c: CompletionDeps): JournalCompletion {
  // The stop answers at once, whatever the index is doing (a lost journal database never catches up).
  const stopped = new Promise<false>((resolve) => c.signal.addEventListener('abort', () => resolve(false), { once: true }));
  return {
    async start(sinceMs) {
      const oldestKept = c.now() - c.retentionMs;
      if (sinceMs !== undefined) return Math.max(sinceMs - MARGIN_MS, oldestKept);
      const [newest] = await c.store.query({ limit: 1 });
      return newest ? Math.max(newest.timeMs - MARGIN_MS, oldestKept) : oldestKept;
    },
    indexed: (timeoutMs) => (c.signal.aborted ? Promise.resolve(false) : Promise.race([c.journal.caughtUp(timeoutMs), stopped])),
    async restore(fromMs, untilMs, isWaiting) {
      const throughSeq = await c.journal.lastSeq();
      let after: JournalPosition | undefined;
      let stored = 0;
      for (;;) {
        // Live records only: imported ones never were events of this server.
        const page = await c.journal.query({
          kinds: ['cloudtrail'], imported: false, sinceNs: BigInt(fromMs) * 1_000_000n, untilNs: BigInt(untilMs) * 1_000_000n - 1n,
          order: 'asc', limit: PAGE, after, throughSeq,
        });
        if (c.signal.aborted) return stored;
        // One lookup of the page's events in the store, and those it lacks stored in one commit, in
        // the journal's order.
        const records = page.map((r) => ({ record: JSON.parse(r.text) as CloudTrailRecord, r }));
        const held = await c.store.holding(records.map(({ record }) => record.eventID));
        if (c.signal.aborted) return stored;
        const missing = new Set<string>();
        const batch = records.filter(({ record }) => {
          const id = record.eventID;
          if (held.has(id) || missing.has(id) || isWaiting(id)) return false;
          missing.add(id);
          return true;
        });
        await Promise.all(batch.map(({ record, r }) => c.store.append({ record, json: r.text, timeMs: Number(r.timeNs / 1_000_000n) })));
        stored += batch.length;
        if (page.length < PAGE) return stored;
        const last = page[page.length - 1];
        after = { timeNs: last.timeNs, seq: last.seq };
      }
    },
  };
}
