/**
 * Whose work a job is: the reader (a token's accessor, or an address) a request's handler runs for,
 * carried through its awaits, so that a queue serving several readers serves them in turn
 * (serial-worker.ts) rather than first come, first served.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const readers = new AsyncLocalStorage<string>();

/** Runs `work` as `reader`'s: the jobs it queues, however deep, are that reader's. */
export function asReader<T>(reader: string, work: () => T): T {
  return readers.run(reader, work);
}

/** The reader the current work is for, if any. */
export function currentReader(): string | undefined {
  return readers.getStore();
}
