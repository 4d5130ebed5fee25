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
 * so none overtakes it). With the journal, which holds the event already, the call is answered
 * once the episode is marked in the journal too (`markWaiting`: a server event), so that a
 * process stopped before the store recovers leaves the next unseal what to restore
 * (waiting-events.ts). Without the journal, or while the mark cannot be written, the event has no
 * durable home but the store: the call fails (its event still lands when the store recovers,
 * since the call acted), and calls are refused before they act while any event waits (`admit`).
 * With the journal and the mark, calls are refused before they act once MAX_PENDING_EVENTS wait.
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
  /**
   * Notes durably that events wait for the store (a journal server event), so that the next
   * unseal stores from the journal what a stopped process could not (waiting-events.ts). Awaited
   * before the first waiting call is answered; until it succeeds, calls are refused before they act.
   */
  markWaiting?(err: unknown): Promise<void>;
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
/** How often waiting events are offered to the store again. */
const RETRY_MS = 1000;

export function createTrailRecorder(deps: TrailRecorderDeps): TrailRecorder {
  const pending: AppendInput[] = [];
  /** The drain running now; every event waits behind it. */
  let draining: Promise<void> | undefined;
  /** The store refuses events: an episode, retried every RETRY_MS until the waiting events are in. */
  let retry: NodeJS.Timeout | undefined;
  let lastError: unknown;
  /** This episode's durable mark (markWaiting): written once, tried again by the next call while it fails. */
  let marking: Promise<boolean> | undefined;
  let marked = false;
  let closed = false;

  const storeDown = () => new SealtrailError('unavailable', 'event_store_unavailable', 'the CloudTrail event store cannot take events', { cause: lastError });

  /** Appends the waiting events in order until the store refuses one. */
  async function appendWaiting(): Promise<void> {
    while (pending.length > 0) {
      await deps.store().append(pending[0]);
      pending.shift();
    }
  }

  function episodeEnded(): void {
    if (retry === undefined) return;
    clearInterval(retry);
    retry = undefined;
    marking = undefined;
    marked = false;
    deps.onStoreRecovered?.();
  }

  /** One drain at a time; the first refusal starts an episode. */
  function drain(): Promise<void> {
    draining ??= (async () => {
      try {
        await appendWaiting();
        episodeEnded();
      } catch (err) {
        lastError = err;
        if (retry === undefined && !closed) {
          deps.onStoreFailing?.(err);
          retry = setInterval(() => { void drain(); }, RETRY_MS);
          retry.unref();
        }
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  }

  /** Whether this episode's mark is durable: written once; a failure is tried again by the next caller. */
  function markOnce(): Promise<boolean> {
    if (!deps.markWaiting) return Promise.resolve(false);
    marking ??= deps.markWaiting(lastError).then(() => (marked = true), () => {
      marking = undefined;
      return false;
    });
    return marking;
  }

  return {
    admit() {
      if (pending.length === 0) return;
      // Without a durable home for a new call's event (no journal, or no mark of the waiting yet),
      // or with the queue full, a call is refused before it acts.
      if (pending.length >= MAX_PENDING_EVENTS || !deps.journal || !marked) throw storeDown();
    },
    async record(event) {
      const record = formatCloudTrailRecord(event);
      // One JSON text for both: the store seals it, the journal keeps it as its record.
      const json = JSON.stringify(record);
      if (deps.journal) {
        const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
        await deps.journal.append({ kind: 'cloudtrail', timeNs, text: json, keys: journalKeysOfEvent(record, deps.recipientEntity) });
      }
      // A call that succeeded may have acted: its event always waits (admit() keeps that near the
      // bound). A failed call changed nothing: past the bound its event is the journal's only (the
      // next unseal stores it from there), or the call fails, so refusals cannot grow the queue.
      if (pending.length >= MAX_PENDING_EVENTS && event.errorCode !== undefined) {
        if (!deps.journal) throw storeDown();
        return;
      }
      const input: AppendInput = { record, json, timeMs: event.eventTime };
      pending.push(input);
      await drain();
      if (!pending.includes(input)) return;
      // It waits. Answered only if a stopped process cannot lose it: the journal holds it, and the
      // episode is marked there, so the next unseal stores what the store lacks.
      if (!deps.journal || !(await markOnce())) throw storeDown();
    },
    pending: () => pending.length,
    async close() {
      closed = true;
      if (retry !== undefined) clearInterval(retry);
      await draining;
      try {
        await appendWaiting();
        // Everything is in: the episode ends here, and the next unseal has nothing to restore.
        if (retry !== undefined) {
          retry = undefined;
          deps.onStoreRecovered?.();
        }
      } catch {
        // Left for the next unseal to store from the journal (the episode's mark stays).
      }
      retry = undefined;
      const lost = pending.length;
      pending.length = 0;
      return lost;
    },
  };
}
