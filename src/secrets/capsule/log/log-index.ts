/**
 * Exact-match indexes of the two logs, so a filtered query reads only the records it returns: one
 * empty marker per record and indexed field, `log/index/<log>/<field>/<index key>/<record id>`,
 * written in the same transaction as the record. A filter lists one folder (a key-range scan in
 * SQLite) instead of reading and decrypting every record; a filter that matches nothing reads none.
 */
import type { StorageOp } from '../../../storage/index.js';
import type { LogKey } from './log-key.js';

export const INDEX_PREFIX = 'log/index/';
export type LogName = 'access' | 'control';

/** The fields each log can be filtered by. */
export const INDEXED_FIELDS: Record<LogName, readonly string[]> = {
  access: ['capsule', 'operation', 'session'],
  control: ['session'],
};

export function indexFolder(key: LogKey, log: LogName, field: string, value: string): string {
  return `${INDEX_PREFIX}${log}/${field}/${key.indexKey(field, value)}/`;
}

/** The index markers of one record (fields that are null are not indexed). */
export function indexOps(key: LogKey, log: LogName, record: Record<string, unknown>): StorageOp[] {
  const ops: StorageOp[] = [];
  for (const field of INDEXED_FIELDS[log]) {
    const value = record[field];
    if (typeof value === 'string') ops.push({ op: 'put', key: indexFolder(key, log, field, value) + String(record.id), value: new Uint8Array(0) });
  }
  return ops;
}
