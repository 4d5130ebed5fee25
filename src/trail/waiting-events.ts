/**
 * Events that wait for the event store (recorder.ts) live in memory, and the journal holds each of
 * them: a server that stops before the store takes them back must still get them into the store.
 * The journal says when that can be: an episode starts with an `event_store_failing` server event,
 * written before the first waiting call is answered, and ends with `event_store_recovered` once
 * every waiting event is stored. At unseal, an episode that did not end is finished from the
 * journal: its CloudTrail records that the store lacks (by event id) are stored, in the journal's
 * order, and the episode is ended. A store that never failed costs two indexed queries here.
 */
import { MAX_PAGE, type JournalPosition, type JournalRecord, type JournalStore } from '../journal/index.js';
import type { CloudTrailRecord } from './format.js';
import type { EventStore } from './store/types.js';

/** Taken off the episode's start: the first waiting event was journaled just before the store refused it. */
const EPISODE_MARGIN_MS = 60_000;
/** How long the unseal waits for the journal to index what its spool holds before looking. */
const CATCH_UP_MS = 30_000;

/** Since when (ms) events waited for the store when the last process stopped; undefined if none did. */
export async function unfinishedEpisode(journal: JournalStore): Promise<number | undefined> {
  await journal.caughtUp(CATCH_UP_MS);
  const latest = async (operation: string): Promise<JournalRecord | undefined> =>
    (await journal.query({ kinds: ['server'], imported: false, keys: { operation }, order: 'desc', limit: 1 }))[0];
  const failing = await latest('event_store_failing');
  if (!failing) return undefined;
  const recovered = await latest('event_store_recovered');
  if (recovered && (recovered.timeNs > failing.timeNs || (recovered.timeNs === failing.timeNs && recovered.seq > failing.seq))) return undefined;
  return Number(failing.timeNs / 1_000_000n) - EPISODE_MARGIN_MS;
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
