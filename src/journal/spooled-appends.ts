/**
 * The server's append path: records go to the spool (spool/) and are acknowledged when written
 * there; the indexer thread (indexer/) puts them into the database afterwards. Appends arriving
 * together share one write, and with fsync one fdatasync (lib/group-commit.ts).
 *
 * At start, the last segment a previous process left is cut after its last whole frame (a crash
 * can leave an unacknowledged fragment), and this process writes a fresh segment.
 */
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { createIndexerThread, type IndexerThread } from './indexer/indexer-thread.js';
import { ACKNOWLEDGED, APPENDED, createProgress, LOAD, publish } from './indexer/progress.js';
import { readSpoolState, type IndexerMessage } from './indexer/state.js';
import { createFrameEncoder, fitsInFrame, MAX_FRAME_BYTES } from './spool/frame.js';
import { cutAfterLastFrame, listSegments, position, segmentOf, segmentPath } from './spool/segments.js';
import { createSpoolWriter } from './spool/spool-writer.js';
import type { JournalAppend } from './types.js';
import { groupCommit } from '../lib/group-commit.js';
import { identityOfPath } from '../lib/file-identity.js';

export interface SpooledAppendsOptions {
  /** The journal database; its spool is the directory beside it, `<path>-spool`. */
  path: string;
  fsync: boolean;
  /** The indexer thread's nice value. */
  nice: number;
  /** The ledger's directory: the indexer thread appends every record to the ledger there. */
  ledgerDir?: string;
  onIndexer(message: IndexerMessage): void;
}

export interface SpooledAppends {
  append(record: JournalAppend): Promise<void>;
  caughtUp(timeoutMs: number): Promise<boolean>;
  /** The retention's purge, on the indexer thread (indexer/indexer-thread.ts); how many records it removed. */
  purgeBefore(cutoffNs: bigint): Promise<number>;
  close(): Promise<void>;
}

/** How often this thread's event-loop utilization and the spool's growth are handed to the indexer. */
const LOAD_SAMPLE_MS = 100;

export const spoolDirectory = (path: string): string => `${path}-spool`;

export function openSpooledAppends(db: Database.Database, opts: SpooledAppendsOptions): SpooledAppends {
  const dir = spoolDirectory(opts.path);
  const indexed = readSpoolState(db);
  const existing = listSegments(dir);
  const lastExisting = existing.at(-1);
  if (lastExisting !== undefined) cutAfterLastFrame(segmentPath(dir, lastExisting));
  const first = Math.max(lastExisting ?? 0, segmentOf(indexed)) + 1;
  const progress = createProgress(position(first, 0), indexed);
  const writer = createSpoolWriter({
    dir, segment: first, fsync: opts.fsync,
    onAcknowledged: (pos) => publish(progress, ACKNOWLEDGED, pos),
    onCacheError: (err) => opts.onIndexer({ kind: 'cache', message: err.message, code: err.code }),
    onRestored: (segment, fate) => opts.onIndexer({ kind: 'spool_restored', segment, fate }),
  });
  // Tells the indexer how busy this thread is and how fast records arrive (indexer-worker.ts
  // holds back while either says the server is under load).
  let sample = performance.eventLoopUtilization();
  let appended = 0;
  let sampledAt = performance.now();
  let lastRate = 0;
  const loadTimer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    Atomics.store(progress, LOAD, BigInt(Math.round(performance.eventLoopUtilization(now, sample).utilization * 1000)));
    const at = performance.now();
    const rate = (appended * 1000) / Math.max(1, at - sampledAt);
    // The faster of the last two samples: one a late or early timer cut short does not end a hold.
    Atomics.store(progress, APPENDED, BigInt(Math.round(Math.max(rate, lastRate))));
    sample = now;
    appended = 0;
    sampledAt = at;
    lastRate = rate;
  }, LOAD_SAMPLE_MS);
  loadTimer.unref();
  const indexer: IndexerThread = createIndexerThread({ path: opts.path, database: identityOfPath(opts.path), dir, fsync: opts.fsync, nice: opts.nice, ledgerDir: opts.ledgerDir }, progress, opts.onIndexer);

  const encoder = createFrameEncoder();
  let closed = false;
  const commits = groupCommit(async (records: JournalAppend[]): Promise<void> => {
    const frames = encoder.encode(records);
    appended += frames.length;
    await writer.write(frames);
  });

  return {
    append(record) {
      if (closed) return Promise.reject(new Error('journal closed'));
      // Refused alone, before it can fail the batch it would have joined.
      if (!fitsInFrame(record.text)) return Promise.reject(new Error(`a journal record larger than ${MAX_FRAME_BYTES} bytes cannot be kept`));
      return commits.add(record);
    },
    caughtUp: (timeoutMs) => indexer.caughtUp(timeoutMs),
    purgeBefore: (cutoffNs) => indexer.purgeBefore(cutoffNs),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(loadTimer);
      await commits.drain();
      await writer.close();
      await indexer.close();
    },
  };
}
