/**
 * Completing the event store from the journal. The recorder appends events to the store in the
 * order it recorded them, and the journal holds each of them first (recorder.ts): so what a
 * stopped or crashed process left out of the store — events that waited for a store that could
 * not take them — are journal CloudTrail records after the newest event the store holds. At every
 * start, those recorded before it are stored, in the journal's order, once the journal has indexed
 * what it holds; after an episode in which refused calls' events could not wait, the same from
 * that episode's start. Only events recorded before the completion began are looked at: what is
 * recorded after waits in the recorder, so nothing is stored twice.
 *
 * An episode is in the journal as two server records, `event_store_failing` at its start and
 * `event_store_recovered` once everything is in. A process stopped or crashed during one leaves
 * its start without an end, and refused calls' events may then sit anywhere after that start,
 * before events the store took later (the recorder stores waiting events first and the journal's
 * only ones after): so the start's completion looks from the open episode's start, not only from
 * the store's newest event, and the completion that does it ends the episode.
 */
import { MAX_PAGE, type JournalPosition, type JournalStore, type ServerEventName, type ServerEvents } from '../journal/index.js';
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
  /**
   * The journal's server events: a completion that stored events, or that resumed an episode a
   * stopped process left open, records the episode's end there.
   */
  events?: ServerEvents;
  /** Told how many events a completion stored, when it stored any. */
  onStored?(stored: number): void;
}

const EPISODE_START: ServerEventName = 'event_store_failing';
const EPISODE_END: ServerEventName = 'event_store_recovered';

/** The start (ms) of the newest event store episode the journal holds no end for, if any. */
async function openEpisodeSince(journal: JournalStore): Promise<number | undefined> {
  const newest = async (operation: ServerEventName) =>
    (await journal.query({ kinds: ['server'], imported: false, keys: { operation }, order: 'desc', limit: 1 }))[0];
  const [start, end] = await Promise.all([newest(EPISODE_START), newest(EPISODE_END)]);
  if (start === undefined) return undefined;
  if (end !== undefined && (end.timeNs > start.timeNs || (end.timeNs === start.timeNs && end.seq > start.seq))) return undefined;
  return Number(start.timeNs / 1_000_000n);
}

/** The store's completion from the journal, as the recorder drives it (recorder.ts). */
export function journalCompletion(c: CompletionDeps): JournalCompletion {
  // The stop answers at once, whatever the index is doing (a lost journal database never catches up).
  const stopped = new Promise<false>((resolve) => c.signal.addEventListener('abort', () => resolve(false), { once: true }));
  let resumed = false;
  return {
    async start(sinceMs) {
      resumed = false;
      const oldestKept = c.now() - c.retentionMs;
      if (sinceMs !== undefined) return Math.max(sinceMs - MARGIN_MS, oldestKept);
      const [[newest], episodeSince] = await Promise.all([c.store.query({ limit: 1 }), openEpisodeSince(c.journal)]);
      resumed = episodeSince !== undefined;
      const fromMs = Math.min(newest?.timeMs ?? oldestKept, episodeSince ?? Infinity);
      return Math.max(fromMs - MARGIN_MS, oldestKept);
    },
    indexed: (timeoutMs) => (c.signal.aborted ? Promise.resolve(false) : Promise.race([c.journal.caughtUp(timeoutMs), stopped])),
    async restore(fromMs, untilMs, isWaiting) {
      const stored = await restore(fromMs, untilMs, isWaiting);
      if (stored > 0) c.onStored?.(stored);
      // Ends the episode that left them out (a process stopped during it), or one a stopped
      // process left open with nothing missing: a later start looks from it no more. A completion
      // cut short by a stop ends nothing: the next start does it again.
      if (!c.signal.aborted && (stored > 0 || resumed)) c.events?.record(EPISODE_END, { stored_from_journal: stored });
      resumed = false;
      return stored;
    },
  };

  /** Stores the journal's events in [fromMs, untilMs) the store lacks and that do not wait; how many. */
  async function restore(fromMs: number, untilMs: number, isWaiting: (eventId: string) => boolean): Promise<number> {
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
  }
}
