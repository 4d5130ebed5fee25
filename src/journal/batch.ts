/**
 * Appends waiting for the same commit: they settle together, through one promise. Handing every
 * producer the same promise also lets the audit broker settle the entries of a batch as one group.
 */
import type { JournalAppend } from './types.js';

export interface Batch {
  records: JournalAppend[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function openBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  // Every append's caller awaits `done`; this keeps a failure with no caller left from being unhandled.
  done.catch(() => undefined);
  return { records: [], done, resolve, reject };
}
