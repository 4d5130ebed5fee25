/**
 * The TrailRecorder the KMS edge calls for every AWS call: format the CloudTrail record, append it
 * to the journal with the keys that correlate it, then to the durable store (resolving after the
 * commit). Trails deliver from the store by cursor, so an event recorded is an event a trail will
 * deliver, even across a restart.
 *
 * The journal goes first: the two cannot commit together, and the store is what LookupEvents and
 * trails serve, so it must hold no event the journal lacks (a digest's ledger checkpoint speaks
 * for the journal) and none of a call refused because the journal could not take its record. A
 * store that cannot commit fails the call with the journal's record kept, as the journal keeps
 * the entries of every request it was shown.
 */
import type { Clock } from '../lib/clock.js';
import { cloudTrailKeys, type JournalKeys, type JournalWriter, type JsonObject } from '../journal/index.js';
import { formatCloudTrailRecord, type CloudTrailRecord } from './format.js';
import type { TrailRecorder } from './model.js';
import type { EventStore } from './store/types.js';

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

export function createTrailRecorder(deps: TrailRecorderDeps): TrailRecorder {
  return {
    async record(event) {
      const record = formatCloudTrailRecord(event);
      // One JSON text for both: the store seals it, the journal keeps it as its record.
      const json = JSON.stringify(record);
      if (deps.journal) {
        const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
        await deps.journal.append({ kind: 'cloudtrail', timeNs, text: json, keys: journalKeysOfEvent(record, deps.recipientEntity) });
      }
      await deps.store().append({ record, json, timeMs: event.eventTime });
    },
  };
}
