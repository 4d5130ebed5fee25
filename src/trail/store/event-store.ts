/**
 * The durable event store: one SQLite database of its own (WAL), records encrypted with
 * AES-256-GCM, plaintext index columns for LookupEvents. Appends arriving together share one
 * transaction of the event log (lib/group-commit.ts); each append's promise resolves after that
 * commit. Indexing follows later, in large batches (deferred-indexing.ts), and every read catches
 * up with it first. Events older than the retention are deleted on an unref'd timer and on demand,
 * in short steps between which requests are answered (retention-sweep.ts).
 */
import type { Clock } from '../../lib/clock.js';
import { groupCommit } from '../../lib/group-commit.js';
import { openEventDatabase } from './schema.js';
import { indexColumns } from './index-columns.js';
import { recordCipher } from './record-cipher.js';
import { prepareQueries, type RawRow } from './queries.js';
import { openEventLog, type LoggedEvent } from './event-log.js';
import { deferIndexing } from './deferred-indexing.js';
import { createRetentionSweep } from './retention-sweep.js';
import { createWalCheckpointer } from './checkpointer.js';
import type { AppendInput, EventStore, StoredEvent } from './types.js';

const CLOUDTRAIL_SOURCE = 'cloudtrail.amazonaws.com';

export const DEFAULT_RETENTION_MS = 90 * 24 * 3600 * 1000;

export interface EventStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** 32-byte AES-256 key (created and kept inside the barrier by the caller). */
  encryptionKey: Uint8Array;
  clock: Clock;
  /** Default 90 days. */
  retentionMs?: number;
  /** How often the retention sweep runs (default hourly; 0 = never on a timer). */
  purgeIntervalMs?: number;
}

export function createEventStore(opts: EventStoreOptions): EventStore {
  const db = openEventDatabase(opts.path);
  const cipher = recordCipher(opts.encryptionKey);
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  const q = prepareQueries(db);
  const log = openEventLog(db);
  const indexing = deferIndexing(log);

  const logged = (input: AppendInput): LoggedEvent => {
    const cols = indexColumns(input.record);
    return { timeMs: input.timeMs, cols, sealed: cipher.seal(cols.eventId, input.json ?? JSON.stringify(input.record)) };
  };
  const logAll = db.transaction((inputs: readonly AppendInput[]) => inputs.map((input) => log.insert(logged(input))));
  // Appends arriving together share one transaction of the log (lib/group-commit.ts).
  const commits = groupCommit((inputs: AppendInput[]): number[] => {
    try {
      return logAll(inputs);
    } catch (err) {
      // The failed rows were counted as waiting; a recount that fails too is retried after the next failure.
      try { log.resync(); } catch { /* indexing finds fewer rows than counted, which is harmless */ }
      throw err;
    }
  });
  const insertAll = db.transaction((inputs: readonly AppendInput[]) => { for (const input of inputs) log.insertIndexed(logged(input)); });
  const retention = createRetentionSweep(db, opts.path === ':memory:' ? {} : { checkpointer: () => createWalCheckpointer(opts.path) });

  const decrypt = (rows: RawRow[]): StoredEvent[] =>
    rows.map((r) => ({ seq: r.seq, timeMs: r.time_ms, json: cipher.open(r.event_id, r.record) }));

  // One sweep at a time: one asked for while another runs starts when it ends.
  let sweeping: Promise<unknown> = Promise.resolve();
  const purgeNow = (): Promise<number> => {
    const sweep = sweeping.then(async () => {
      await indexing.catchUp();
      return retention.sweep(opts.clock.now() - retentionMs);
    });
    sweeping = sweep.catch(() => undefined);
    return sweep;
  };
  const timer = opts.purgeIntervalMs === 0 ? undefined : setInterval(() => {
    purgeNow().catch(() => { /* the next sweep retries */ });
  }, opts.purgeIntervalMs ?? 3600_000);
  timer?.unref();

  return {
    append(input) {
      if (!db.open) return Promise.reject(new Error('event store is closed'));
      const at = commits.forming;
      return commits.add(input).then((seqs) => seqs[at]);
    },
    async appendBatch(inputs) {
      // Straight into the indexed tables, in the same turn as emptying the log: indexed seqs stay a prefix.
      commits.flush();
      indexing.catchUpNow();
      insertAll(inputs);
    },
    query: async (query) => { await indexing.catchUp(); return decrypt(q.select(query)); },
    readSince: async (afterSeq, limit) => { await indexing.catchUp(); return decrypt(q.since.all(afterSeq, limit)); },
    lastSeq: async () => log.lastSeq(),
    settledSeq: async (sinceMs) => { await indexing.catchUp(); return q.settledSeq.get(CLOUDTRAIL_SOURCE, sinceMs) ?? 0; },
    count: async () => { await indexing.catchUp(); return q.count.get() ?? 0; },
    purgeExpired: purgeNow,
    explainQuery: async (query) => q.explain(query).map((r) => r.detail),
    async close() {
      if (timer) clearInterval(timer);
      indexing.close();
      commits.flush();
      if (db.open) db.close();
    },
  };
}
