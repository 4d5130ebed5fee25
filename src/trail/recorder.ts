/**
 * The TrailRecorder the KMS edge calls for every AWS call: format the CloudTrail record, append it
 * to the durable store (resolving after the commit), and to the journal with the keys that
 * correlate it. Trails deliver from the store by cursor, so an event recorded is an event a trail
 * will deliver, even across a restart.
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
      await deps.store().append({ record, json, timeMs: event.eventTime });
      if (!deps.journal) return;
      const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
      await deps.journal.append({ kind: 'cloudtrail', timeNs, text: json, keys: journalKeysOfEvent(record, deps.recipientEntity) });
    },
  };
}
