/**
 * The indexer thread, seen from the thread that answers requests: started with the journal,
 * restarted if it dies, told to stop with the journal. `caughtUp` is how a query waits until what
 * was acknowledged before it is searchable; `purgeBefore` hands the retention's DELETE to the
 * thread, so it never holds this one.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../lib/spawn-worker.js';
import { ACKNOWLEDGED, changeOf, CLOSING, INDEXED, WAITING, type Progress } from './progress.js';
import type { IndexerMessage, IndexerSettings, PurgeReply, PurgeRequest } from './state.js';

/** How long after an unexpected exit the thread is started again. */
const RESTART_MS = 1000;

export interface IndexerThread {
  /**
   * Resolves true once every record acknowledged before the call is indexed, false if that did
   * not happen within `timeoutMs`.
   */
  caughtUp(timeoutMs: number): Promise<boolean>;
  /**
   * Removes the records older than `cutoffNs` on the indexer thread, between its chunks; resolves
   * with how many. Rejects if it fails there, or the thread stops or is not running.
   */
  purgeBefore(cutoffNs: bigint): Promise<number>;
  /** Acknowledged records not yet indexed are indexed by the next start. */
  close(): Promise<void>;
}

export function createIndexerThread(settings: IndexerSettings, progress: Progress, onMessage: (message: IndexerMessage) => void): IndexerThread {
  let closing = false;
  let worker: Worker;
  let running = false;
  let exited: Promise<void>;
  let purgeIds = 0;
  const purges = new Map<number, { resolve(removed: number): void; reject(err: Error): void }>();
  const answer = (reply: PurgeReply) => {
    const waiting = purges.get(reply.id);
    purges.delete(reply.id);
    if (reply.kind === 'purged') waiting?.resolve(reply.removed);
    else waiting?.reject(Object.assign(new Error(reply.message), { code: reply.code }));
  };
  const start = () => {
    worker = spawnWorker(import.meta.url, 'indexer-worker', { settings, progress });
    running = true;
    // Indexing never keeps the process alive: what is left is indexed by the next start.
    worker.unref();
    worker.on('message', (message: IndexerMessage | PurgeReply) => {
      if (message.kind === 'purged' || message.kind === 'purge_failed') answer(message);
      else onMessage(message);
    });
    worker.on('error', (err) => onMessage({ kind: 'failing', message: `the journal's indexer failed: ${err.message}` }));
    exited = new Promise((resolve) => worker.once('exit', () => {
      running = false;
      for (const waiting of purges.values()) waiting.reject(new Error("the journal's indexer stopped before its purge ended"));
      purges.clear();
      resolve();
      if (!closing) setTimeout(() => { if (!closing) start(); }, RESTART_MS).unref();
    }));
  };
  start();
  return {
    async caughtUp(timeoutMs) {
      const target = Atomics.load(progress, ACKNOWLEDGED);
      if (Atomics.load(progress, INDEXED) >= target) return true;
      const deadline = performance.now() + timeoutMs;
      // The indexer stops gathering while anyone waits.
      Atomics.add(progress, WAITING, 1n);
      Atomics.notify(progress, WAITING);
      try {
        for (;;) {
          const indexed = Atomics.load(progress, INDEXED);
          if (indexed >= target) return true;
          const left = deadline - performance.now();
          if (left <= 0) return false;
          await changeOf(progress, INDEXED, indexed, left);
        }
      } finally {
        Atomics.sub(progress, WAITING, 1n);
      }
    },
    purgeBefore(cutoffNs) {
      if (closing || !running) return Promise.reject(new Error("the journal's indexer is not running"));
      const id = ++purgeIds;
      return new Promise<number>((resolve, reject) => {
        purges.set(id, { resolve, reject });
        worker.postMessage({ kind: 'purge', id, cutoffNs } satisfies PurgeRequest);
      });
    },
    async close() {
      closing = true;
      Atomics.store(progress, CLOSING, 1n);
      Atomics.notify(progress, ACKNOWLEDGED);
      Atomics.notify(progress, WAITING);
      worker.ref();
      await exited;
    },
  };
}
