/**
 * The indexer thread: reads the spool from where the database says indexing stopped, up to the
 * acknowledged position, and inserts the records — a transaction per chunk that also records the
 * new spool position, so after any crash each record is indexed exactly once. A segment read to
 * its end is deleted. Records gather for a moment before an idle indexer takes them (fewer,
 * larger commits), and while the server is busy answering requests the indexer holds back (up to
 * a bound on what waits in the spool), unless a query is waiting for them. The thread runs at the lowest CPU priority: under load, answering requests
 * comes first and the index catches up when the machine has time.
 *
 * The retention's purge runs here too, between chunks, when the server asks (PurgeRequest): with a
 * spool, this thread is the only writer of the database, and one DELETE of an hour's records
 * (seconds on a large journal) then delays indexing, never an answer. It removes only records the
 * ledger already holds, so the ledger never meets a gap.
 */
import { closeSync, fstatSync, openSync, readlinkSync, renameSync, unlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setImmediate as breathe, setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openJournalDatabase } from '../schema.js';
import { listSegments, offsetOf, position, readFrames, SEGMENT_BYTES, segmentOf, segmentPath } from '../spool/segments.js';
import type { JournalAppend } from '../types.js';
import { createJournalWriter } from '../writer.js';
import { createLedgerFollower, LEDGER_BATCH, type CommittedRecords, type LedgerFollower } from '../ledger/ledger-follower.js';
import { ACKNOWLEDGED, APPENDED, changeOf, CLOSING, INDEXED, LOAD, publish, WAITING, type Progress } from './progress.js';
import { readSpoolState, type IndexerMessage, type IndexerSettings, type PurgeReply, type PurgeRequest } from './state.js';
import { fateOf, fileGuard, identityOfFd, type FileIdentity } from '../../lib/file-identity.js';

/** Records per transaction: large enough that index pages are shared, small enough to yield often. */
const RECORDS_PER_COMMIT = 2000;
/** How long the indexer waits before retrying after a failed commit (a full or read-only disk). */
const RETRY_MS = 1000;
/**
 * Once idle, how long the indexer lets records gather before indexing them, unless a query is
 * waiting: a commit of a few records costs nearly what one of thousands does.
 */
const GATHER_MS = 200;
/**
 * While the thread answering requests is busier than this (event-loop utilization, thousandths),
 * or the spool grows faster than BUSY_APPENDED bytes a second (about 650 audited reads a second),
 * the indexer holds back — it would take CPU, cache and disk from the requests —
 * unless a query waits or the spool holds more than MAX_LAG_BYTES not yet indexed. The rate
 * matters where the machine's cores are shared: a thread that waits for a core, or for clients
 * that wait for one, looks idle by its event loop while requests keep coming.
 */
const BUSY_LOAD = 500n;
const BUSY_APPENDED = 2n * 1024n * 1024n;
const MAX_LAG_BYTES = 8 * SEGMENT_BYTES;
/**
 * How long the spool's growth alone holds the indexer back; past it, the indexer works until it
 * has caught up. A steady stream of requests on a machine with cores to spare then leaves the
 * index at most this far behind, rather than 512 MiB.
 */
const MAX_GROWTH_HOLD_MS = 10_000;
/** How often a held-back indexer looks again. */
const HOLD_MS = 100;
/**
 * How often an idle indexer looks for records the ledger has not taken: those a `journal import`
 * process wrote into the database directly.
 */
const LEDGER_POLL_MS = 1000;

const loopBusy = (progress: Progress): boolean => Atomics.load(progress, LOAD) > BUSY_LOAD;
const spoolGrowing = (progress: Progress): boolean => Atomics.load(progress, APPENDED) > BUSY_APPENDED;

/** Lowers this thread's priority (Linux: a thread's nice value is set through its thread id). */
function lowerPriority(nice: number): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch { /* elsewhere the thread keeps the process's priority */ }
}

async function run(port: NonNullable<typeof parentPort>, settings: IndexerSettings, progress: Progress, purges: PurgeRequest[]): Promise<void> {
  lowerPriority(settings.nice);
  const stillAtPath = databaseGuard(settings);
  stillAtPath();
  const db = openJournalDatabase(settings.path, { fsync: settings.fsync });
  const writer = createJournalWriter(db);
  const save = db.prepare('INSERT INTO spool_state (id, segment, byte_offset) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, byte_offset = excluded.byte_offset');
  const commitOnce = db.transaction((records: readonly JournalAppend[], segment: number, offset: number): number[] => {
    const seqs = writer.appendAll(records);
    save.run(segment, offset);
    // The last step: a commit into a file that lost its name is rolled back (databaseGuard).
    stillAtPath();
    return seqs;
  });
  let lostFileWhole = false;
  // Checked after the commit too: nothing is taken as indexed (and no segment deleted) on the strength of a commit the file lost.
  const commit = (records: readonly JournalAppend[], segment: number, offset: number): number[] => {
    try {
      const seqs = commitOnce(records, segment, offset);
      stillAtPath();
      return seqs;
    } catch (err) {
      if (!lostFileWhole && String((err as { code?: unknown }).code).startsWith('journal_database_')) {
        // Everything in the write-ahead log moves into the lost file, so the copy an operator takes
        // of it from /proc/<pid>/fd is whole (docs/journal.md).
        try { db.pragma('wal_checkpoint(TRUNCATE)'); lostFileWhole = true; } catch { /* tried again at the next commit */ }
      }
      throw err;
    }
  };
  const say = (message: IndexerMessage | PurgeReply) => port.postMessage(message);
  const ledgerSize = db.prepare('SELECT size FROM ledger_state WHERE id = 1').pluck();
  /** The purges asked for, each one DELETE; a failure is the asker's to report (the next sweep retries). */
  const purge = () => {
    for (let request = purges.shift(); request; request = purges.shift()) {
      try {
        const below = settings.ledgerDir === undefined ? undefined : Number(ledgerSize.get() ?? 0);
        say({ kind: 'purged', id: request.id, removed: writer.purgeBefore(request.cutoffNs, below) });
      } catch (err) {
        say({ kind: 'purge_failed', id: request.id, message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
      }
    }
  };
  const ledger = settings.ledgerDir === undefined ? undefined : followLedger(createLedgerFollower(db, { dir: settings.ledgerDir, fsync: settings.fsync }), say);
  await ledger?.start();

  let pos = readSpoolState(db);
  let fd: number | undefined;
  let fdSegment = -1;
  /** The open segment's file: the writer may put a copy under its name (spool-writer.ts). */
  let fdFile: FileIdentity | undefined;
  let failing = false;
  /** The chunk the last step committed: the ledger takes it without reading it back. */
  let committed: CommittedRecords | undefined;
  /** Since when the spool's growth has held the indexer back (until it next catches up). */
  let growthHeldSince: number | undefined;
  const holdBack = (): boolean => {
    if (loopBusy(progress)) return true;
    if (!spoolGrowing(progress)) return false;
    growthHeldSince ??= performance.now();
    return performance.now() - growthHeldSince < MAX_GROWTH_HOLD_MS;
  };

  const advance = (segment: number, offset: number) => {
    pos = position(segment, offset);
    publish(progress, INDEXED, pos);
  };
  const closeFd = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    fdSegment = -1;
  };
  /** The segment is done: past it in the database first, then gone from the disk. */
  const finishSegment = (segment: number, corrupt: string | undefined, acknowledged: bigint) => {
    closeFd();
    // Numbers between segments were never written (each process starts at a fresh one).
    const next = listSegments(settings.dir).find((n) => n > segment && n < segmentOf(acknowledged)) ?? segmentOf(acknowledged);
    commit([], next, 0);
    const path = segmentPath(settings.dir, segment);
    try {
      if (corrupt) renameSync(path, `${path}.corrupt`);
      else unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    advance(next, 0);
  };

  /** One step: a chunk indexed, or a segment finished. */
  const step = (acknowledged: bigint) => {
    const segment = segmentOf(pos);
    const last = segment === segmentOf(acknowledged);
    if (fdSegment !== segment) {
      closeFd();
      try {
        fd = openSync(segmentPath(settings.dir, segment), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || last) throw err;
        // Never written (the writer starts each process at a fresh number) or already done.
        finishSegment(segment, undefined, acknowledged);
        return;
      }
      fdSegment = segment;
      fdFile = identityOfFd(fd);
    }
    const to = last ? offsetOf(acknowledged) : fstatSync(fd!).size;
    const chunk = readFrames(fd!, offsetOf(pos), to, RECORDS_PER_COMMIT);
    if (chunk.records.length > 0) {
      const seqs = commit(chunk.records, segment, chunk.end);
      advance(segment, chunk.end);
      if (seqs.at(-1) === seqs[0] + seqs.length - 1) committed = { first: seqs[0], texts: chunk.records.map((r) => r.text) };
      return;
    }
    const reason = chunk.stop?.kind === 'corrupt' ? chunk.stop.reason : chunk.stop ? 'a frame cut short' : undefined;
    // The writer put a copy of the segment under its name and writes there: read on from the copy.
    if (last && fateOf(segmentPath(settings.dir, segment), fdFile!)) {
      closeFd();
      return;
    }
    if (last) throw new Error(`the journal spool is unreadable at segment ${segment}, byte ${offsetOf(pos)}: ${reason ?? 'no frame'}`);
    if (reason) say({ kind: 'corrupt', segment, offset: offsetOf(pos), reason });
    finishSegment(segment, reason, acknowledged);
  };

  try {
    while (Atomics.load(progress, CLOSING) === 0n) {
      purge();
      const acknowledged = Atomics.load(progress, ACKNOWLEDGED);
      if (pos >= acknowledged) {
        // Idle: the ledger takes what is left (imported records), a batch per turn — one per poll
        // while the thread answering requests is busy.
        growthHeldSince = undefined;
        if (ledger && (await ledger.step()) && !loopBusy(progress) && !spoolGrowing(progress)) {
          await breathe();
          continue;
        }
        await changeOf(progress, ACKNOWLEDGED, acknowledged, ledger ? LEDGER_POLL_MS : 60_000);
        if (Atomics.load(progress, WAITING) === 0n) await changeOf(progress, WAITING, 0n, GATHER_MS);
        continue;
      }
      const lag = (segmentOf(acknowledged) - segmentOf(pos)) * SEGMENT_BYTES + offsetOf(acknowledged) - offsetOf(pos);
      if (Atomics.load(progress, WAITING) === 0n && lag < MAX_LAG_BYTES && holdBack()) {
        await changeOf(progress, WAITING, 0n, HOLD_MS);
        continue;
      }
      try {
        committed = undefined;
        step(acknowledged);
        if (failing) say({ kind: 'recovered' });
        failing = false;
        // The chunk just committed enters the ledger: one append and one write of each file.
        await ledger?.step(committed);
      } catch (err) {
        closeFd();
        if (!failing) say({ kind: 'failing', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
        failing = true;
        await sleep(RETRY_MS);
      }
      // Let the event loop breathe between chunks (messages, timers).
      await breathe();
    }
  } finally {
    closeFd();
    db.close();
  }
}

/**
 * SQLite keeps writing to the file it opened: a journal database deleted or replaced under the
 * running server would take every record indexed from then on, and the spool segments would be
 * deleted as indexed, so nothing would be left at the next start. The indexer refuses instead:
 * it reports failing (sys/health `journal_indexer_failing`), and the records stay in the spool.
 */
function databaseGuard(settings: IndexerSettings): () => void {
  return fileGuard(settings.path, (fate) => Object.assign(new Error(
    `the journal database ${settings.path} was ${fate} while the server runs: nothing is indexed into it, records stay in the spool (the open file is still readable, under /proc/${process.pid}/fd)`,
  ), { code: `journal_database_${fate}` }), { opened: settings.database });
}

/**
 * The ledger's side of the loop: a failure (a gap, a missing file, a full disk) is reported once
 * per episode and retried after RETRY_MS; it never stops the journal's indexing.
 */
function followLedger(follower: LedgerFollower, say: (message: IndexerMessage) => void) {
  let failing = false;
  let retryAt = 0;
  // Until the server has heard the head once (a failed start), each step tells it.
  let announced = false;
  const guarded = async (work: () => Promise<boolean>): Promise<boolean> => {
    if (failing && performance.now() < retryAt) return false;
    try {
      const more = await work();
      if (failing) say({ kind: 'ledger_recovered' });
      failing = false;
      return more;
    } catch (err) {
      if (!failing) say({ kind: 'ledger_failing', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
      failing = true;
      retryAt = performance.now() + RETRY_MS;
      return false;
    }
  };
  return {
    /** Tells the server where the ledger stands, then takes what the journal holds beyond it. */
    start: () => guarded(async () => {
      const head = await follower.head();
      say({ kind: 'ledger', size: head.size, root: head.root });
      announced = true;
      return false;
    }),
    /** One batch (the chunk just committed, when it is next); true when a whole batch was taken (more may wait). */
    step: (committed?: CommittedRecords) => guarded(async () => {
      const { added, head } = await follower.follow(committed);
      if (added > 0 || !announced) say({ kind: 'ledger', size: head.size, root: head.root });
      announced = true;
      return added === LEDGER_BATCH;
    }),
  };
}

const port = parentPort;
if (port) {
  const { settings, progress } = workerData as { settings: IndexerSettings; progress: Progress };
  const purges: PurgeRequest[] = [];
  // A pending Atomics.waitAsync does not keep a thread alive; a listening port does, until closed.
  port.on('message', (request: PurgeRequest) => {
    purges.push(request);
    // Wakes the loop from whichever wait it is in (a notify with no change ends a wait early).
    Atomics.notify(progress, ACKNOWLEDGED);
    Atomics.notify(progress, WAITING);
  });
  run(port, settings, progress, purges).then(() => port.close(), (err: unknown) => {
    port.postMessage({ kind: 'failing', message: err instanceof Error ? err.message : String(err) } satisfies IndexerMessage);
    port.close();
  });
}
