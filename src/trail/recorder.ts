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
 * so none overtakes it). With the journal, which holds the event already, the call is answered:
 * it took effect and is on record. Without it the store is the event's only home, so the call
 * fails (its event still lands when the store recovers, since the call took effect), and calls
 * are refused before they act while any event waits (`admit`). With the journal, calls are
 * refused before they act only once MAX_PENDING_EVENTS wait.
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
  let retry: NodeJS.Timeout | undefined;
  let lastError: unknown;

  const storeDown = () => new SealtrailError('unavailable', 'event_store_unavailable', 'the CloudTrail event store cannot take events', { cause: lastError });

  /** Appends the waiting events in order until the store refuses one; one drain at a time. */
  function drain(): Promise<void> {
    draining ??= (async () => {
      try {
        while (pending.length > 0) {
          await deps.store().append(pending[0]);
          pending.shift();
        }
        if (retry) {
          clearInterval(retry);
          retry = undefined;
          deps.onStoreRecovered?.();
        }
      } catch (err) {
        lastError = err;
        if (!retry) {
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

  return {
    admit() {
      if (pending.length >= MAX_PENDING_EVENTS || (pending.length > 0 && !deps.journal)) throw storeDown();
    },
    async record(event) {
      const record = formatCloudTrailRecord(event);
      // One JSON text for both: the store seals it, the journal keeps it as its record.
      const json = JSON.stringify(record);
      if (deps.journal) {
        const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
        await deps.journal.append({ kind: 'cloudtrail', timeNs, text: json, keys: journalKeysOfEvent(record, deps.recipientEntity) });
      }
      const input: AppendInput = { record, json, timeMs: event.eventTime };
      // While events wait, a failed call's event (the call changed nothing; admit() refused it,
      // say) does not join them, or refused calls would grow the queue without bound: it is in
      // the journal, or the call fails. A call that succeeded may have acted: its event always
      // waits (only calls admit() let through succeed, so the queue stays near its bound).
      if (event.errorCode !== undefined && pending.length > 0) {
        if (!deps.journal) throw storeDown();
        return;
      }
      pending.push(input);
      await drain();
      if (pending.includes(input) && !deps.journal) throw storeDown();
    },
    pending: () => pending.length,
    async close() {
      if (retry) clearInterval(retry);
      retry = undefined;
      await draining;
      if (pending.length > 0) await drain();
      const lost = pending.length;
      pending.length = 0;
      return lost;
    },
  };
}
