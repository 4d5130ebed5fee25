/**
 * The durable event store: one SQLite database of its own (WAL), records encrypted with
 * AES-256-GCM, plaintext index columns for LookupEvents. Appends arriving together share one
 * transaction of the event log (lib/group-commit.ts); each append's promise resolves after that
 * commit. Indexing follows later, in large batches (deferred-indexing.ts), and every read catches
 * up with it first. Events older than the retention are deleted on an unref'd timer and on demand,
 * in short steps between which requests are answered (retention-sweep.ts).
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../lib/clock.js';
import { SealtrailError } from '../../errors/index.js';
import { fileGuard } from '../../lib/file-identity.js';
import { groupCommit } from '../../lib/group-commit.js';
import { openEventDatabase } from './schema.js';
import { indexColumns } from './index-columns.js';
import { recordCipher } from './record-cipher.js';
import { prepareQueries, type RawRow } from './queries.js';
import { openEventLog, type LoggedEvent } from './event-log.js';
import { deferIndexing } from './deferred-indexing.js';
import { createRetentionSweep } from './retention-sweep.js';
import { createWalCheckpointer } from './checkpointer.js';
import { checkHeldIds, type AppendInput, type EventStore, type StoredEvent } from './types.js';

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
  const stillAtPath = fileGuarded(opts.path, opts.clock);
  // The check is the transaction's last step, so a refused commit is rolled back and no read shows it.
  const logAll = db.transaction((inputs: readonly AppendInput[]) => {
    const seqs = inputs.map((input) => log.insert(logged(input)));
    stillAtPath();
    return seqs;
  });
  // Appends arriving together share one transaction of the log (lib/group-commit.ts).
  const commits = groupCommit((inputs: AppendInput[]): number[] => {
    try {
      return logAll(inputs);
    } catch (err) {
      // The failed rows were counted as waiting; a recount that fails too is retried after the next failure.
      try { log.resync(); } catch { /* indexing finds fewer rows than counted, which is harmless */ }
      if (err instanceof SealtrailError && err.code === 'storage_failed') keepWhole(db);
      throw err;
    }
  });
  const insertAll = db.transaction((inputs: readonly AppendInput[]) => {
    for (const input of inputs) log.insertIndexed(logged(input));
    stillAtPath();
  });
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
    async holding(eventIds) {
      checkHeldIds(eventIds);
      await indexing.catchUp();
      return new Set(q.held.all(JSON.stringify(eventIds)));
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

/**
 * SQLite keeps writing to the file it opened: an event store deleted or replaced under the running
 * server would acknowledge events (and answer their KMS calls) that vanish at the next start. The
 * commit is refused instead, as main storage does (storage/sqlite/sqlite-storage.ts). The stat is
 * skipped while the last one is younger than CHECK_MS (a stat costs about a tenth of a commit;
 * BENCHMARKS.md): events committed that soon after a deletion are in the lost file, which
 * keepWhole makes whole for the operator to copy back (docs/trails.md).
 */
const CHECK_MS = 10;

function fileGuarded(path: string, clock: Clock): () => void {
  if (path === ':memory:') return () => undefined;
  return fileGuard(path, (fate) => new SealtrailError('internal', 'storage_failed',
    `the CloudTrail event store ${path} was ${fate} while the server runs: events are refused (the open file is still readable, under /proc/${process.pid}/fd)`), { intervalMs: CHECK_MS, now: () => clock.now() });
}

/** Moves the write-ahead log into the lost file, so a copy of it from /proc/<pid>/fd holds every event. */
function keepWhole(db: Database.Database): void {
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* tried again at the next refusal */ }
}
