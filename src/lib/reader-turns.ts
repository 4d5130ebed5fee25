/**
 * Whose work a job is: the reader (a token's accessor, or an address) a request's handler runs for,
 * carried through its awaits, so that a queue serving several readers serves them in turn
 * (serial-worker.ts, `createTurns`) rather than first come, first served.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createTurnQueue } from './turn-queue.js';

const readers = new AsyncLocalStorage<string>();

/** Runs `work` as `reader`'s: the jobs it queues, however deep, are that reader's. */
export function asReader<T>(reader: string, work: () => T): T {
  return readers.run(reader, work);
}

/** The reader the current work is for, if any. */
export function currentReader(): string | undefined {
  return readers.getStore();
}

export interface Turns {
  /** Runs `work` once one of the places is free and it is its reader's turn (work of no reader shares one turn). */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * At most `places` jobs at once; those waiting start one per reader in turn, each reader's in
 * order. One that waits `waitMs` without starting fails with `timedOut()`.
 */
export function createTurns(places: number, waitMs: number, timedOut: () => Error): Turns {
  const waiting = createTurnQueue<() => void>();
  let running = 0;

  const startNext = () => {
    if (running >= places) return;
    const start = waiting.take();
    if (!start) return;
    running++;
    start();
  };

  return {
    async run(work) {
      const reader = currentReader() ?? '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.remove(reader, start);
          reject(timedOut());
        }, waitMs);
        const start = () => {
          clearTimeout(timer);
          resolve();
        };
        waiting.push(reader, start);
        startNext();
      });
      try {
        return await work();
      } finally {
        running--;
        startNext();
      }
    },
  };
}
