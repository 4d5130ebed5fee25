/**
 * Checkpoints of the event database's write-ahead log off the thread that answers requests.
 * A checkpoint copies the log into the database file and syncs it: a retention sweep writes
 * megabytes to the log per step, and the automatic checkpoint would run inside the commit of
 * whichever step crossed WAL_CHECKPOINT_PAGES (150–300 ms on a loaded machine, against a few ms
 * for the step itself). The sweep turns the automatic checkpoint off and has this worker
 * thread checkpoint after each step instead (retention-sweep.ts). One worker per sweep, one
 * checkpoint at a time (lib/serial-worker.ts).
 */
import { createSerialWorker, type JobOutcome } from '../../lib/serial-worker.js';
import { spawnWorker } from '../../lib/spawn-worker.js';

/** How long the worker may take to open the database, and one checkpoint to finish. */
const STARTUP_MS = 30_000;
const CHECKPOINT_MS = 60_000;

export type CheckpointReply =
  | { kind: 'ready' }
  | { kind: 'done'; log: number; checkpointed: number }
  | { kind: 'error'; message: string };

export interface WalCheckpointer {
  /** Copies what the log holds into the database file (PASSIVE: never waits for the writer). */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

const settle = (reply: unknown): JobOutcome<void> => {
  const r = reply as Exclude<CheckpointReply, { kind: 'ready' }>;
  return r.kind === 'done' ? { value: undefined } : { error: new Error(`the event store's checkpoint failed: ${r.message}`) };
};

export function createWalCheckpointer(path: string): WalCheckpointer {
  const worker = createSerialWorker<Record<string, never>>({
    spawn: () => spawnWorker(import.meta.url, 'checkpoint-worker', { path }),
    startupMs: STARTUP_MS,
    name: "the event store's checkpoint thread",
    failure: (message) => new Error(message),
  });
  return {
    checkpoint: () => worker.run({}, CHECKPOINT_MS, settle),
    close: () => worker.close(),
  };
}
