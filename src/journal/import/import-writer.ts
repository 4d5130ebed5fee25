/**
 * The journal's side of an import, on a thread of its own: reading, splitting and parsing the
 * input takes one core, SQLite's inserts and index entries another, and the two overlap. Batches
 * are committed in the order given; each answer is the batch's outcome. At most
 * IMPORT_BATCHES_IN_FLIGHT batches wait for their commit, each in a memory slot of its own.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../lib/spawn-worker.js';
import type { ImportOutcome, JournalAppend } from '../types.js';
import type { CheckpointRequest, ImportReply, ImportRequest, WriterFailure } from './import-writer-messages.js';
import { IMPORT_BATCHES_IN_FLIGHT } from './limits.js';
import { emptySlot, packBatch, type BatchSlot } from './packed-batch.js';

export interface ImportWriter {
  importBatch(records: readonly JournalAppend[]): Promise<ImportOutcome>;
  /** Waits for the batches sent, then closes the database. */
  close(): Promise<void>;
}

/** The writer's error as the caller's: its message and code (SQLITE_FULL, ...). */
function errorOf(failure: WriterFailure): Error {
  return Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
}

interface Waiting {
  slot: BatchSlot;
  resolve(outcome: ImportOutcome): void;
  reject(err: Error): void;
}

export function openImportWriter(path: string): ImportWriter {
  const worker: Worker = spawnWorker(import.meta.url, 'import-writer-worker', { path });
  const checkpointer: Worker = spawnWorker(import.meta.url, 'checkpointer-worker', { path });
  // Its failure loses nothing (the writer's own checkpoints take over): it is not the import's.
  checkpointer.on('error', () => {});
  const checkpointed = new Promise<void>((resolve) => checkpointer.once('exit', () => resolve()));
  const toCheckpointer = (request: CheckpointRequest) => checkpointer.postMessage(request);
  const free: BatchSlot[] = Array.from({ length: IMPORT_BATCHES_IN_FLIGHT }, emptySlot);
  const waiting: Waiting[] = [];
  // Callers waiting for a slot to come free.
  const wantSlot: (() => void)[] = [];
  let stopped: Error | undefined;
  const release = (slot: BatchSlot) => {
    free.push(slot);
    wantSlot.shift()?.();
  };
  const stop = (err: Error) => {
    stopped ??= err;
    for (const w of waiting.splice(0)) {
      w.reject(stopped);
      release(w.slot);
    }
  };
  worker.on('message', (reply: ImportReply) => {
    const w = waiting.shift();
    if (!w) return;
    release(w.slot);
    if ('outcome' in reply) {
      toCheckpointer({ committed: true });
      w.resolve(reply.outcome);
    } else {
      w.reject(errorOf(reply.failure));
    }
  });
  worker.on('error', (err) => stop(new Error(`the import's writer thread failed: ${err.message}`)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    stop(new Error('the import\'s writer thread stopped'));
    resolve();
  }));
  const send = (request: ImportRequest) => worker.postMessage(request);
  return {
    async importBatch(records) {
      while (free.length === 0 && !stopped) await new Promise<void>((resolve) => wantSlot.push(resolve));
      if (stopped) throw stopped;
      const batch = packBatch(records, free.pop()!);
      return new Promise((resolve, reject) => {
        waiting.push({ slot: batch.slot, resolve, reject });
        send({ batch });
      });
    },
    async close() {
      // The checkpointer's connection closes first: the writer's, the last, then copies and removes the log.
      toCheckpointer({ close: true });
      await checkpointed;
      if (!stopped) send({ close: true });
      await exited;
    },
  };
}
