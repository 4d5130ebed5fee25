/**
 * Capsule log records as journal records: the record's text as the capsule log API returns it,
 * keyed as an imported capsule log record is (journal/extract/capsule.ts). A record made while
 * handling a request names that request in its own `request_id`, which joins it to the request's
 * audit entries; every key is thus read from the record's bytes, which the ledger covers.
 */
import { capsuleAccessKeys, capsuleControlKeys, type JournalAppend, type JournalWriter, type JsonObject } from '../../../journal/index.js';
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

export function accessJournalRecord(record: AccessRecord, timeNs: bigint): JournalAppend {
  return { kind: 'capsule-access', timeNs, text: stringifyJson(record), keys: capsuleAccessKeys(record as unknown as JsonObject) };
}

export function controlJournalRecord(record: ControlRecord, timeNs: bigint): JournalAppend {
  return { kind: 'capsule-control', timeNs, text: stringifyJson(record), keys: capsuleControlKeys(record as unknown as JsonObject) };
}
