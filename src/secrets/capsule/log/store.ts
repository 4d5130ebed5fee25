/**
 * The two logs' storage: one key per record, `log/access/<id>` and `log/control/<id>`, and their
 * indexes (log-index.ts). Ids sort in time order, so a time range is a contiguous run of keys. A
 * write that fails throws: the caller must not return data it could not log.
 */
import { SealtrailError } from '../../../errors/index.js';
import { rfc3339Nano } from '../../../lib/time.js';
import type { Clock } from '../../../lib/clock.js';
import { encodeJson, getJson, type Storage, type StorageOp } from '../../../storage/index.js';
import { logIdGenerator } from './ids.js';
import { indexFolder, indexOps, type LogName } from './log-index.js';
import { loadLogKey, type LogKey } from './log-key.js';
import type { AccessRecord, ControlRecord } from './records.js';
import type { JournalAppend } from '../../../journal/index.js';
import { accessJournalRecord, controlJournalRecord, type CapsuleWitness, type RecordOrigin } from './journal-record.js';

export const ACCESS_PREFIX = 'log/access/';
export const CONTROL_PREFIX = 'log/control/';
/** Set once every record written before the indexes existed has been indexed. */
const INDEXED_MARKER = 'log/indexed';
const REINDEX_BATCH = 500;

export interface CapsuleLogs {
  /** Loads the log key and indexes older records; every other method needs it done. */
  open(): Promise<void>;
  /** The session id a token accessor appears as in this domain's logs. */
  sessionId(accessor: string): string;
  /** Stores the record (with the id of the request it was made for, `request_id`), then hands it to the journal. */
  appendAccess(record: Omit<AccessRecord, 'id' | 'time'>, origin?: RecordOrigin): Promise<AccessRecord>;
  appendControl(record: Omit<ControlRecord, 'id' | 'time'>, origin?: RecordOrigin): Promise<ControlRecord>;
  /**
   * A control record and its storage writes, for changes that log atomically with a transaction;
   * `committed` hands it to the journal once that transaction is.
   */
  controlRecord(record: Omit<ControlRecord, 'id' | 'time'>, origin?: RecordOrigin): { record: ControlRecord; ops: StorageOp[]; committed(): Promise<void> };
  ids(prefix: string): Promise<string[]>;
  /** Ids (ascending) of the records whose fields equal every filter, from the indexes. */
  idsMatching(prefix: string, filters: Readonly<Record<string, string>>): Promise<string[]>;
  get<T>(prefix: string, id: string): Promise<T | undefined>;
}

const logName = (prefix: string): LogName => (prefix === ACCESS_PREFIX ? 'access' : 'control');
const leaves = (keys: string[]) => keys.filter((k) => !k.endsWith('/'));
const json = encodeJson;

export function capsuleLogs(storage: Storage, clock: Clock, witness?: CapsuleWitness): CapsuleLogs {
  const ids = logIdGenerator(clock);
  let key: LogKey | undefined;
  const requireKey = () => {
    if (!key) throw new SealtrailError('internal', 'capsule_log_not_open', 'capsule logs used before they were opened');
    return key;
  };
  // The request a record was made for is part of the record itself, so the journal's `request_id`
  // key is read from the bytes the ledger covers, like every other key of the record.
  const stamp = <T>(fields: object, origin: RecordOrigin | undefined) =>
    ({ id: ids.next(), time: rfc3339Nano(clock.nowNs()), ...(origin ? { request_id: origin.requestId } : {}), ...fields }) as T;
  const witnessed = async (record: JournalAppend) => { if (witness) await witness(record); };
  const writes = (prefix: string, record: { id: string }): StorageOp[] =>
    [{ op: 'put', key: prefix + record.id, value: json(record) }, ...indexOps(requireKey(), logName(prefix), record)];

  async function append<T extends { id: string; time: string }>(prefix: string, fields: Omit<T, 'id' | 'time'>, origin: RecordOrigin | undefined): Promise<T> {
    const record = stamp<T>(fields, origin);
    try {
      await storage.transaction(writes(prefix, record));
    } catch (cause) {
      throw new SealtrailError('internal', 'capsule_log_write_failed', 'capsule log write failed', { cause });
    }
    return record;
  }
  /** A journal failure is a log write failure: the caller must not return what was not recorded. */
  async function toJournal(record: JournalAppend): Promise<void> {
    try {
      await witnessed(record);
    } catch (cause) {
      throw new SealtrailError('internal', 'capsule_log_write_failed', 'capsule log write failed', { cause });
    }
  }

  /** Indexes records written before the indexes existed (once per domain). */
  async function reindex(): Promise<void> {
    if ((await storage.get(INDEXED_MARKER)) !== undefined) return;
    for (const prefix of [ACCESS_PREFIX, CONTROL_PREFIX]) {
      let batch: StorageOp[] = [];
      for (const id of leaves(await storage.list(prefix))) {
        const record = await getJson<{ id: string }>(storage, prefix + id);
        if (record) batch.push(...indexOps(requireKey(), logName(prefix), record));
        if (batch.length >= REINDEX_BATCH) {
          await storage.transaction(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await storage.transaction(batch);
    }
    await storage.put(INDEXED_MARKER, Buffer.from('1'));
  }

  return {
    async open() {
      key ??= await loadLogKey(storage);
      await reindex();
    },
    sessionId: (accessor) => requireKey().sessionId(accessor),
    async appendAccess(fields, origin) {
      const record = await append<AccessRecord>(ACCESS_PREFIX, fields, origin);
      await toJournal(accessJournalRecord(record, clock.nowNs()));
      return record;
    },
    async appendControl(fields, origin) {
      const record = await append<ControlRecord>(CONTROL_PREFIX, fields, origin);
      await toJournal(controlJournalRecord(record, clock.nowNs()));
      return record;
    },
    controlRecord(fields, origin) {
      const record = stamp<ControlRecord>(fields, origin);
      return { record, ops: writes(CONTROL_PREFIX, record), committed: () => toJournal(controlJournalRecord(record, clock.nowNs())) };
    },
    ids: async (prefix) => leaves(await storage.list(prefix)),
    async idsMatching(prefix, filters) {
      let matching: string[] | undefined;
      for (const [field, value] of Object.entries(filters)) {
        const found = leaves(await storage.list(indexFolder(requireKey(), logName(prefix), field, value)));
        if (matching === undefined) matching = found;
        else {
          const set = new Set(found);
          matching = matching.filter((id) => set.has(id));
        }
        if (matching.length === 0) break;
      }
      return matching ?? leaves(await storage.list(prefix));
    },
    get: (prefix, id) => getJson(storage, prefix + id),
  };
}
