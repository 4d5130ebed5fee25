/**
 * Capsule log records as journal records: the record's text as the capsule log API returns it,
 * keyed by capsule, session, entity and — when the record was made while handling a request —
 * that request's id, which joins it to the request's audit entries.
 */
import type { JournalAppend, JournalWriter } from '../../../journal/index.js';
import type { AccessRecord, ControlRecord } from './records.js';
import { stringifyJson } from '../../../lib/json-text.js';

/** The request a record was made for (absent for records a hook makes for another request's change). */
export interface RecordOrigin {
  requestId: string;
}

export type CapsuleWitness = (record: JournalAppend) => Promise<unknown>;

export function journalWitness(journal: JournalWriter | undefined): CapsuleWitness | undefined {
  return journal ? (record) => journal.append(record) : undefined;
}

export function accessJournalRecord(record: AccessRecord, timeNs: bigint, origin?: RecordOrigin): JournalAppend {
  return {
    kind: 'capsule-access',
    timeNs,
    text: stringifyJson(record),
    keys: {
      requestId: origin?.requestId,
      capsule: record.capsule ?? undefined,
      session: record.session ?? undefined,
      entityId: record.principal?.entity_id ?? undefined,
      path: record.location ?? undefined,
      operation: record.operation,
      outcome: record.error === undefined ? 'success' : 'failure',
    },
  };
}

export function controlJournalRecord(record: ControlRecord, timeNs: bigint, origin?: RecordOrigin): JournalAppend {
  const entity = record.description.entity_id;
  return {
    kind: 'capsule-control',
    timeNs,
    text: stringifyJson(record),
    keys: {
      requestId: origin?.requestId,
      session: record.session ?? undefined,
      entityId: typeof entity === 'string' && entity !== '' ? entity : undefined,
      path: record.url.startsWith('/v1/') ? record.url.slice(4) : record.url,
      operation: typeof record.description.method === 'string' ? record.description.method : undefined,
      outcome: 'success',
    },
  };
}
