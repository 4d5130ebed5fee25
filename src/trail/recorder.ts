/**
 * The TrailRecorder the KMS edge calls for every AWS call: format the CloudTrail record, append it
 * to the journal with the keys that correlate it, then to the durable store (resolving after the
 * commit). Trails deliver from the store by cursor, so an event recorded is an event a trail will
 * deliver, even across a restart.
 *
 * The journal goes first: the two cannot commit together, and the store is what LookupEvents and
 * trails serve, so it must hold no event the journal lacks (a digest's ledger checkpoint speaks
 * for the journal) and none of a call refused because the journal could not take its record.
 *
 * An event is recorded after its call took effect (a key created, disabled, scheduled for
 * deletion), so a store that cannot take it must not lose it: the event waits, in order, and is
 * appended once the store takes writes again (retried every RETRY_MS, and before any later event,
 * so none overtakes it). The store therefore always holds a prefix of the events in the order they
 * were recorded. With the journal, which holds every event before the store is asked, the call is
 * answered, and nothing is lost to a stop or a crash: the store is completed from the journal
 * (`completion`, new events held meanwhile for at most HOLD_MS) — at the start, and after an
 * episode in which events of refused calls could not wait (past MAX_PENDING_EVENTS). Without the journal the store is the
 * event's only home: the call fails (its event still lands when the store recovers, since the call
 * acted), and calls are refused before they act while any event waits (`admit`). With the journal,
 * calls are refused before they act once MAX_PENDING_EVENTS wait.
 */
import type { Clock } from '../lib/clock.js';
import { cloudTrailKeys, type JournalKeys, type JournalWriter, type JsonObject } from '../journal/index.js';
import { SealtrailError } from '../errors/index.js';
import { formatCloudTrailRecord, type CloudTrailRecord } from './format.js';
import type { TrailRecorder } from './model.js';
import type { AppendInput, EventStore } from './store/types.js';

export interface TrailRecorderDeps {
  /** A getter: the store exists only while unsealed. */
  store: () => EventStore;
  journal?: JournalWriter;
  /** Times the journal record (the event's own time has only millisecond precision). */
  clock?: Clock;
  /**
   * The entity an attested recipient is (the APM login's entity for the same signer and image), so
   * an enclave's KMS calls join its timeline whatever credentials made them.
   */
  recipientEntity?: (signerId: string, imageDigest: string) => string;
  /** Told once when the store stops taking events (they wait), and once when it takes them again. */
  onStoreFailing?(err: unknown): void;
  onStoreRecovered?(): void;
  /** The store's completion from the journal (waiting-events.ts), given with the journal. */
  completion?: JournalCompletion;
  /** The longest new events are held while the store is completed (default HOLD_MS). */
  holdMs?: number;
}

/**
 * The journal keys of a call's record: those an imported CloudTrail record gets (its requestID
 * joins the call's Vault-format entries), and the entity of an attested recipient.
 */
export function journalKeysOfEvent(record: CloudTrailRecord, recipientEntity?: TrailRecorderDeps['recipientEntity']): JournalKeys {
  const keys = cloudTrailKeys(record as unknown as JsonObject);
  const recipient = record.additionalEventData?.recipient as Record<string, unknown> | undefined;
  const signer = recipient?.attestationDocumentEnclavePCR8;
  const image = recipient?.attestationDocumentEnclaveImageDigest;
  if (recipientEntity && typeof signer === 'string' && typeof image === 'string') keys.entityId = recipientEntity(signer, image);
  return keys;
}

/** Events that may wait for the store, in memory (a CloudTrail event is ~1–2 KB of JSON). */
export const MAX_PENDING_EVENTS = 10_000;
/** How often waiting events (or a completion from the journal that failed) are tried again. */
const RETRY_MS = 1000;
/** Waiting events appended in one transaction at most (a drain after an episode takes several). */
const APPEND_BATCH = 1000;

/** What completing the store from the journal needs (waiting-events.ts implements it). */
export interface JournalCompletion {
  /** Where a completion starts (ms): `sinceMs` less a margin, or a little before the store's newest event. */
  start(sinceMs: number | undefined): Promise<number>;
  /** True once the journal has indexed what it holds; false after `timeoutMs`, or once stopped. */
  indexed(timeoutMs: number): Promise<boolean>;
  /** Stores the journal's events timed in [fromMs, untilMs) that the store lacks and that do not wait; how many. */
  restore(fromMs: number, untilMs: number, isWaiting: (eventId: string) => boolean): Promise<number>;
}

/** The longest new events are held while the store is completed (see complete()). */
const HOLD_MS = 10_000;

export function createTrailRecorder(deps: TrailRecorderDeps): TrailRecorder {
  const pending: AppendInput[] = [];
  /** The drain running now, and whether it has taken its events yet (drain()). */
  let draining: Promise<void> | undefined;
  let taken = false;
  /** The drain after it, for events recorded once the running one had taken its own. */
  let nextDrain: Promise<void> | undefined;
  /** The store refuses events: an episode, retried every RETRY_MS until the waiting events are in. */
  let retry: NodeJS.Timeout | undefined;
  let lastError: unknown;
  /** A completion of the store from the journal (complete()): while `completing`, no drain runs. */
  let restoring: Promise<void> | undefined;
  let completing = false;
  /** Resolves when calls stop waiting for the completion (it is done, or HOLD_MS passed). */
  let callsHeld: Promise<void> = Promise.resolve();
  /** The time (ms) of the first refused call's event that could not wait, in the episode now. */
  let droppedSince: number | undefined;
  let closed = false;

  /** Whether an event waits (checked as the completion goes: events recorded meanwhile join the queue). */
  const waitingIds = new Set<string>();
  const isWaiting = (eventId: string) => waitingIds.has(eventId);

  const behind = () => Object.assign(new Error(`${MAX_PENDING_EVENTS} events wait for the event store`), { code: 'event_store_behind' });
  const storeDown = () => new SealtrailError('unavailable', 'event_store_unavailable', 'the CloudTrail event store cannot take events', { cause: lastError });

  /**
   * Appends the first `count` waiting events in order, up to APPEND_BATCH at a time in one
   * transaction (the store commits the appends of one synchronous run together: all or none), so
   * the store keeps a prefix of the recorded events whatever fails. Stops at the first refusal.
   */
  async function appendWaiting(count = pending.length): Promise<void> {
    // While the store refuses, one event tries it first: each call is not a retry of every waiting one.
    let size = episode ? 1 : APPEND_BATCH;
    while (count > 0 && pending.length > 0) {
      const batch = pending.slice(0, Math.min(count, size));
      const store = deps.store();
      await Promise.all(batch.map((input) => store.append(input)));
      pending.splice(0, batch.length);
      for (const input of batch) waitingIds.delete(input.record.eventID);
      count -= batch.length;
      size = APPEND_BATCH;
    }
  }

  /**
   * Completes the store from the journal: the events recorded before now that it lacks, from
   * `sinceMs` (or a little before its newest event). No new event enters the store before it is
   * done, so the store stays in recorded order whatever happens meanwhile (a stop, a crash, a
   * journal whose index is slow to catch up); the calls recording them wait at most HOLD_MS, then
   * are answered with their events waiting (the journal holds them). Retried until it succeeds or
   * the recorder closes; an unfinished one is done again by the next start.
   */
  function complete(sinceMs: number | undefined): void {
    const journal = deps.completion;
    if (!journal || closed) return;
    if (completing) {
      // One at a time: this one starts when the running one is done (its drain ends the episode again).
      if (sinceMs !== undefined) droppedSince = Math.min(droppedSince ?? sinceMs, sinceMs);
      return;
    }
    const untilMs = deps.clock ? deps.clock.now() : Date.now();
    completing = true;
    let openCalls!: () => void;
    callsHeld = new Promise<void>((resolve) => { openCalls = resolve; });
    const hold = setTimeout(openCalls, deps.holdMs ?? HOLD_MS);
    hold.unref();
    const run = async (): Promise<boolean> => {
      let fromMs: number | undefined;
      for (;;) {
        try {
          // Indexed first: where the completion starts may depend on what the journal holds.
          while (!(await journal.indexed(1000))) if (closed) return false;
          if (closed) return false;
          fromMs ??= await journal.start(sinceMs);
          await journal.restore(fromMs, untilMs, isWaiting);
          return !closed;
        } catch (err) {
          lastError = err;
          failing(err);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          if (closed) return false;
        }
      }
    };
    restoring = run().then((done) => {
      clearTimeout(hold);
      openCalls();
      restoring = undefined;
      // Unfinished (closed): the store takes nothing more this time; the next start completes it.
      if (!done) return;
      completing = false;
      void drain();
    });
  }

  /** An episode: told once when the store first refuses (an append, or a completion), once when all is in. */
  let episode = false;
  function failing(err: unknown): void {
    if (episode || closed) return;
    episode = true;
    deps.onStoreFailing?.(err);
  }

  function episodeEnded(): void {
    if (retry !== undefined) {
      clearInterval(retry);
      retry = undefined;
    }
    // Refused calls' events that could not wait are in the journal: completed from there first,
    // and the episode ends when that is done (its drain comes back here).
    if (droppedSince !== undefined) {
      const since = droppedSince;
      droppedSince = undefined;
      complete(since);
      return;
    }
    if (episode) {
      episode = false;
      deps.onStoreRecovered?.();
    }
  }

  /**
   * Stores the events waiting now, and those recorded in the same turn (it takes them a tick
   * later, so the calls answered together share one commit). One drain at a time, none while the
   * store is being completed; events recorded after a running drain took its own go in the next,
   * so a caller waits for its own event's commit, never for a stream of later ones. The first
   * refusal starts an episode.
   */
  function drain(): Promise<void> {
    if (completing) return Promise.resolve();
    if (!draining) {
      taken = false;
      draining = (async () => {
        try {
          await new Promise<void>((resolve) => process.nextTick(resolve));
          taken = true;
          await appendWaiting();
          // Everything that waited is in; what is left was recorded since, and has a drain of its own.
          episodeEnded();
        } catch (err) {
          lastError = err;
          failing(err);
          if (retry === undefined && !closed) {
            retry = setInterval(() => { void drain(); }, RETRY_MS);
            retry.unref();
          }
        } finally {
          draining = undefined;
        }
      })();
      return draining;
    }
    if (!taken) return draining;
    nextDrain ??= draining.then(() => {
      nextDrain = undefined;
      return drain();
    });
    return nextDrain;
  }

  // What a stopped or crashed process left out of the store is in the journal.
  if (deps.journal) complete(undefined);

  return {
    admit() {
      if (pending.length === 0) return;
      if (pending.length >= MAX_PENDING_EVENTS || !deps.journal) throw storeDown();
    },
    async record(event) {
      const record = formatCloudTrailRecord(event);
      // One JSON text for both: the store seals it, the journal keeps it as its record.
      const json = JSON.stringify(record);
      if (deps.journal) {
        const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
        await deps.journal.append({ kind: 'cloudtrail', timeNs, text: json, keys: journalKeysOfEvent(record, deps.recipientEntity) });
      }
      // Closing (a seal, a stop): the store takes nothing more. The journal holds the event for the
      // next start's completion; without the journal it cannot be kept, and the call is told so.
      if (closed) {
        if (!deps.journal) throw storeDown();
        return;
      }
      // A call that succeeded may have acted: its event always waits (admit() keeps that near the
      // bound). A failed call changed nothing: past the bound its event is the journal's only,
      // and the store is completed from there when the episode ends; without the journal the call
      // fails, so refusals cannot grow the queue.
      if (pending.length >= MAX_PENDING_EVENTS && event.errorCode !== undefined) {
        if (!deps.journal) throw storeDown();
        droppedSince ??= event.eventTime;
        // An episode, whether the store refuses or only lags this far: its start in the journal
        // tells a later start to complete the store from here if this process ends before it does.
        failing(behind());
        return;
      }
      const input: AppendInput = { record, json, timeMs: event.eventTime };
      pending.push(input);
      waitingIds.add(record.eventID);
      // While the store is completed, the call waits (its answer, not the server): once the
      // completion is done, its event is stored before it is answered, as at any other time.
      if (completing) await callsHeld;
      await drain();
      // It waits: answered if the journal holds it (nothing loses it then), else the call fails.
      if (!deps.journal && waitingIds.has(record.eventID)) throw storeDown();
    },
    pending: () => pending.length,
    failing: () => episode,
    async close() {
      closed = true;
      if (retry !== undefined) clearInterval(retry);
      await restoring;
      // One last drain, through drain() so that it runs after those asked for before it and never
      // beside one (two would store the same events twice) — not ahead of an unfinished completion,
      // so the store stays in recorded order for the next start. A refusal leaves the events to the
      // next start's completion from the journal; without it, they are counted lost.
      if (!completing) await drain();
      while (draining || nextDrain) await (nextDrain ?? draining);
      retry = undefined;
      const lost = pending.length;
      pending.length = 0;
      // waitingIds is kept: a call whose event is lost here, still to check it, fails (no journal).
      return lost;
    },
  };
}
