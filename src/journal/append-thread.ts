/**
 * The server's side of the append thread: batches go out with an id, answers come back in order.
 * If the thread dies, every batch in flight and every later append fails — the journal is
 * required, so requests are refused rather than answered unrecorded.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AppendAnswer, AppendBatch } from './append-worker.js';
import type { JournalAppend } from './types.js';

export interface AppendThread {
  /** Commits the batch in one transaction; resolves with the seqs. */
  append(records: JournalAppend[]): Promise<number[]>;
  close(): Promise<void>;
}

/**
 * The worker: the built `.js` beside this file; when run from source (tests, `tsx`), the `.ts`
 * loaded through tsx, which a worker thread does not inherit from its parent.
 */
function spawnWorker(path: string, fsync: boolean): Worker {
  const source = extname(fileURLToPath(import.meta.url)) === '.ts';
  const url = new URL(`./append-worker${source ? '.ts' : '.js'}`, import.meta.url);
  if (!source) return new Worker(url, { workerData: { path, fsync } });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { path, fsync } });
}

export class JournalThreadError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export function startAppendThread(path: string, fsync: boolean): AppendThread {
  const worker = spawnWorker(path, fsync);
  const waiting = new Map<number, { resolve: (seqs: number[]) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;
  const failAll = (err: Error) => {
    dead ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (answer: AppendAnswer) => {
    const w = waiting.get(answer.id);
    if (!w) return;
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    if ('seqs' in answer) w.resolve(answer.seqs);
    else w.reject(new JournalThreadError(answer.error, answer.code));
  });
  worker.on('error', (err) => failAll(new JournalThreadError(`the journal's append thread failed: ${err.message}`)));
  worker.on('exit', () => failAll(new JournalThreadError('the journal\'s append thread has stopped')));
  // The thread keeps the process alive only while a batch waits for its answer.
  worker.unref();
  return {
    append(records) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (waiting.size === 0) worker.ref();
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, records } satisfies AppendBatch);
      });
    },
    async close() {
      if (dead) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
