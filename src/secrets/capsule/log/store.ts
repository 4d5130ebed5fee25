/**
 * The two logs' storage: one key per record, `log/access/<id>` and `log/control/<id>`. Ids sort in
 * time order, so a time range is a contiguous run of keys. A write that fails throws: the caller
 * must not return data it could not log.
 */
import { SealtrailError } from '../../../errors/index.js';
import { rfc3339Nano } from '../../../lib/time.js';
import type { Clock } from '../../../lib/clock.js';
import { getJson, putJson, type Storage, type StorageOp } from '../../../storage/types.js';
import { logIdGenerator } from './ids.js';
import type { AccessRecord, ControlRecord } from './records.js';

export const ACCESS_PREFIX = 'log/access/';
export const CONTROL_PREFIX = 'log/control/';

export interface CapsuleLogs {
  appendAccess(record: Omit<AccessRecord, 'id' | 'time'>): Promise<AccessRecord>;
  appendControl(record: Omit<ControlRecord, 'id' | 'time'>): Promise<ControlRecord>;
  /** A control record and its storage write, for changes that log atomically with a transaction. */
  controlRecord(record: Omit<ControlRecord, 'id' | 'time'>): { record: ControlRecord; op: StorageOp };
  ids(prefix: string): Promise<string[]>;
  get<T>(prefix: string, id: string): Promise<T | undefined>;
}

export function capsuleLogs(storage: Storage, clock: Clock): CapsuleLogs {
  const ids = logIdGenerator(clock);
  const stamp = <T>(fields: object) => ({ id: ids.next(), time: rfc3339Nano(clock.nowNs()), ...fields }) as T;
  async function append<T extends { id: string; time: string }>(prefix: string, fields: Omit<T, 'id' | 'time'>): Promise<T> {
    const record = stamp<T>(fields);
    try {
      await putJson(storage, prefix + record.id, record);
    } catch (cause) {
      throw new SealtrailError('internal', 'capsule_log_write_failed', 'capsule log write failed', { cause });
    }
    return record;
  }
  return {
    appendAccess: (r) => append<AccessRecord>(ACCESS_PREFIX, r),
    appendControl: (r) => append<ControlRecord>(CONTROL_PREFIX, r),
    controlRecord(fields) {
      const record = stamp<ControlRecord>(fields);
      return { record, op: { op: 'put', key: CONTROL_PREFIX + record.id, value: Buffer.from(JSON.stringify(record), 'utf8') } };
    },
    ids: async (prefix) => (await storage.list(prefix)).filter((k) => !k.endsWith('/')),
    get: (prefix, id) => getJson(storage, prefix + id),
  };
}
