/**
 * What the writing thread and the indexer share, without messages: six 64-bit slots in shared
 * memory. The writer publishes how far the spool is acknowledged; the indexer, how far it has
 * indexed; either side waits on the other's slot with Atomics.waitAsync.
 */
export const ACKNOWLEDGED = 0;
export const INDEXED = 1;
export const CLOSING = 2;
/** How many queries are waiting for the index: while any is, the indexer does not wait for more records. */
export const WAITING = 3;
/** How busy the thread answering requests is: its event-loop utilization, in thousandths, over the last moment. */
export const LOAD = 4;
/** How fast the spool grows, bytes per second over the last moment (the same samples as LOAD). */
export const APPENDED = 5;
const SLOTS = 6;

export type Progress = BigInt64Array;

export function createProgress(acknowledged: bigint, indexed: bigint): Progress {
  const progress = new BigInt64Array(new SharedArrayBuffer(SLOTS * 8));
  progress[ACKNOWLEDGED] = acknowledged;
  progress[INDEXED] = indexed;
  return progress;
}

export function publish(progress: Progress, slot: number, value: bigint): void {
  Atomics.store(progress, slot, value);
  Atomics.notify(progress, slot);
}

/** Atomics.waitAsync (Node 16+; TypeScript declares it from lib es2024 on). */
type WaitAsync = (array: BigInt64Array, index: number, value: bigint, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Resolves when the slot no longer holds `seen`, or after `timeoutMs`. */
export async function changeOf(progress: Progress, slot: number, seen: bigint, timeoutMs: number): Promise<void> {
  const wait = waitAsync(progress, slot, seen, timeoutMs);
  if (wait.async) await wait.value;
}
