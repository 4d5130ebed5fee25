/**
 * The TrailRecorder the KMS edge calls for every AWS call: format the CloudTrail record, append it
 * to the durable store (resolving after the commit), and to the journal with the keys that
 * correlate it. Trails deliver from the store by cursor, so an event recorded is an event a trail
 * will deliver, even across a restart.
 */
import type { Clock } from '../lib/clock.js';
import type { JournalKeys, JournalWriter } from '../journal/index.js';
import { formatCloudTrailRecord } from './format.js';
import type { TrailEventInput, TrailRecorder } from './model.js';
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

/** The journal keys of a call event: its request id joins it to the call's Vault-format entries. */
export function journalKeysOfEvent(event: TrailEventInput, recipientEntity?: TrailRecorderDeps['recipientEntity']): JournalKeys {
  const recipient = event.additionalEventData?.recipient as Record<string, unknown> | undefined;
  const signer = recipient?.attestationDocumentEnclavePCR8;
  const image = recipient?.attestationDocumentEnclaveImageDigest;
  return {
    entityId: recipientEntity && typeof signer === 'string' && typeof image === 'string' ? recipientEntity(signer, image) : undefined,
    requestId: event.requestId,
    accessKeyId: event.userIdentity.accessKeyId || undefined,
    userArn: event.userIdentity.arn || undefined,
    keyArn: event.resources.find((r) => r.type === 'AWS::KMS::Key')?.arn,
    remoteAddress: event.sourceIpAddress || undefined,
    operation: event.eventName,
    outcome: event.errorCode === undefined ? 'success' : 'failure',
  };
}

export function createTrailRecorder(deps: TrailRecorderDeps): TrailRecorder {
  return {
    async record(event) {
      const record = formatCloudTrailRecord(event);
      await deps.store().append({ record, timeMs: event.eventTime });
      if (!deps.journal) return;
      const timeNs = deps.clock ? deps.clock.nowNs() : BigInt(event.eventTime) * 1_000_000n;
      await deps.journal.append({ kind: 'cloudtrail', timeNs, text: JSON.stringify(record), keys: journalKeysOfEvent(event, deps.recipientEntity) });
    },
  };
}
