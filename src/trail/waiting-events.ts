/**
 * Events that wait for the event store (recorder.ts) live in memory, and the journal holds each of
 * them: a server that stops before the store takes them back must still get them into the store.
 * The journal says when that can be: an episode starts with an `event_store_failing` server event,
 * written before the first waiting call is answered, and ends with `event_store_recovered` once
 * every waiting event is stored. After an unseal, an episode that did not end is finished from the
 * journal in the background: its CloudTrail records that the store lacks (by event id) are
 * stored, in the journal's order, and the episode is ended. A store that never failed costs two
 * indexed queries here.
 */
import { MAX_PAGE, type JournalPosition, type JournalRecord, type JournalStore } from '../journal/index.js';
import type { CloudTrailRecord } from './format.js';
import type { EventStore } from './store/types.js';

/** Taken off the episode's start: the first waiting event was journaled just before the store refused it. */
const EPISODE_MARGIN_MS = 60_000;
/** How long one wait for the journal's index lasts before the stop signal is looked at again. */
const CATCH_UP_MS = 1000;

/** Since when (ms) events waited for the store when the last process stopped; undefined if none did. */
export async function unfinishedEpisode(journal: JournalStore): Promise<number | undefined> {
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
 * records never were events of this server); returns how many it stored, or undefined if
 * `signal` stopped it first.
 */
export async function restoreWaitingEvents(journal: JournalStore, store: EventStore, sinceMs: number, signal?: AbortSignal): Promise<number | undefined> {
  const throughSeq = await journal.lastSeq();
  let after: JournalPosition | undefined;
  let restored = 0;
  for (;;) {
    const page = await journal.query({
      kinds: ['cloudtrail'], imported: false, sinceNs: BigInt(sinceMs) * 1_000_000n, order: 'asc', limit: MAX_PAGE, after, throughSeq,
    });
    for (const r of page) {
      if (signal?.aborted) return undefined;
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

export interface EpisodeEnding {
  journal: JournalStore;
  store: EventStore;
  /** Aborted when the server seals or stops: the episode stays unended for the next unseal. */
  signal: AbortSignal;
  /** The episode's events are all stored: record its end. */
  ended(restored: number): Promise<void>;
}

/**
 * Finishes an episode the last process left unended, in the background of a running server: once
 * the journal has indexed what its spool holds (the episode's start may be there; a large spool
 * after a crash takes a while), its events the store lacks are stored and the episode is ended.
 * Resolves the number stored, or undefined when there was nothing to finish or it was stopped.
 */
export async function finishUnendedEpisode(opts: EpisodeEnding): Promise<number | undefined> {
  // The stop answers at once, whatever the index is doing (a lost journal database never catches up).
  const stopped = new Promise<false>((resolve) => opts.signal.addEventListener('abort', () => resolve(false), { once: true }));
  while (!(await Promise.race([opts.journal.caughtUp(CATCH_UP_MS), stopped]))) if (opts.signal.aborted) return undefined;
  const since = await unfinishedEpisode(opts.journal);
  if (since === undefined || opts.signal.aborted) return undefined;
  const restored = await restoreWaitingEvents(opts.journal, opts.store, since, opts.signal);
  if (restored === undefined) return undefined;
  await opts.ended(restored);
  return restored;
}
