/**
 * Journal records to and from PostgreSQL rows. Records go in as one array per column through
 * unnest (a batch is one INSERT whatever its size); BIGINTs come back as strings and are read
 * exactly (time_ns needs more than a double's 53 bits).
 */
import { KEY_ENTRIES } from '../writer.js';
import type { JournalAppend, JournalKeys, JournalKind, JournalPlace, JournalRecord } from '../types.js';

export interface RecordRow {
  seq: string;
  time_ns: string;
  kind: JournalKind;
  text: string;
  origin_file: string | null;
  origin_line: string | null;
  [column: string]: unknown;
}

export function recordOf(row: RecordRow): JournalRecord {
  const keys: JournalKeys = {};
  for (const [name, column] of KEY_ENTRIES) {
    const value = row[column];
    if (typeof value === 'string') (keys as Record<string, string>)[name] = value;
  }
  const record: JournalRecord = { seq: Number(row.seq), kind: row.kind, timeNs: BigInt(row.time_ns), text: row.text, keys };
  if (row.origin_file !== null) record.origin = { file: row.origin_file, line: Number(row.origin_line) };
  return record;
}

export interface PlaceRow {
  seq: string;
  time_ns: string;
  request_id: string | null;
  correlation_id: string | null;
  bytes: string | number;
}

export function placeOf(row: PlaceRow): JournalPlace {
  const place: JournalPlace = { seq: Number(row.seq), timeNs: BigInt(row.time_ns), bytes: Number(row.bytes) };
  if (row.request_id !== null) place.requestId = row.request_id;
  if (row.correlation_id !== null) place.correlationId = row.correlation_id;
  return place;
}

const COLUMNS: { name: string; type: string; value: (r: JournalAppend) => unknown }[] = [
  { name: 'time_ns', type: 'bigint', value: (r) => r.timeNs.toString() },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  ...KEY_ENTRIES.map(([key, column]) => ({ name: column, type: 'text', value: (r: JournalAppend) => r.keys[key] ?? null })),
  { name: 'origin_file', type: 'text', value: (r) => r.origin?.file ?? null },
  { name: 'origin_line', type: 'bigint', value: (r) => r.origin?.line ?? null },
  { name: 'text', type: 'text', value: (r) => r.text },
];

/**
 * One INSERT of `records` with seqs from `$1` on, in the order given. The seq parameter is the
 * first one; the columns follow.
 */
export function insertRecords(first: number, records: readonly JournalAppend[]): { sql: string; params: unknown[] } {
  const names = COLUMNS.map((c) => c.name);
  const arrays = COLUMNS.map((c, i) => `$${i + 2}::${c.type}[]`);
  const sql = `INSERT INTO records (seq, ${names.join(', ')}) SELECT $1::bigint + u.o - 1, ${names.map((n) => `u.${n}`).join(', ')} `
    + `FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS u(${names.join(', ')}, o)`;
  return { sql, params: [first, ...COLUMNS.map((c) => records.map(c.value))] };
}

/** The identity of an imported record: its kind and text (its time is parsed from the text). */
export const importKey = (r: JournalAppend): string => `${r.kind}\n${r.timeNs}\n${r.text}`;
