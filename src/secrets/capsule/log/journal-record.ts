/**
 * Capsule log records as journal records: the record's text as the capsule log API returns it,
 * keyed as an imported capsule log record is (journal/extract/capsule.ts) and — when the record
 * was made while handling a request — by that request's id, which joins it to the request's
 * audit entries.
 */
import { capsuleAccessKeys, capsuleControlKeys, type JournalAppend, type JournalKeys, type JournalWriter, type JsonObject } from '../../../journal/index.js';
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

/** The keys of a live record: those an imported one would get, and the request it was made for. */
function keysOf(extract: (record: JsonObject) => JournalKeys, record: object, origin?: RecordOrigin): JournalKeys {
  const keys = extract(record as JsonObject);
  return origin ? { ...keys, requestId: origin.requestId } : keys;
}

export function accessJournalRecord(record: AccessRecord, timeNs: bigint, origin?: RecordOrigin): JournalAppend {
  return { kind: 'capsule-access', timeNs, text: stringifyJson(record), keys: keysOf(capsuleAccessKeys, record, origin) };
}

export function controlJournalRecord(record: ControlRecord, timeNs: bigint, origin?: RecordOrigin): JournalAppend {
  return { kind: 'capsule-control', timeNs, text: stringifyJson(record), keys: keysOf(capsuleControlKeys, record, origin) };
}
