/**
 * Per-device write deadlines for the audit broker: what a write's outcome can be, and one timer
 * per device instead of one per write.
 */

export type Outcome = { ok: true } | { ok: false; timedOut: boolean; error?: unknown };

export const RECORDED: Outcome = { ok: true };
export const TIMED_OUT: Outcome = { ok: false, timedOut: true };

/** A device write in flight. */
export interface Pending {
  /** performance.now() after which it counts as timed out. */
  readonly deadline: number;
  settled: boolean;
  settle(outcome: Outcome): void;
}

export interface Deadlines {
  add(write: Pending): void;
  /** Drops settled writes from the front. */
  prune(): void;
}

/**
 * Times out one device's writes without a timer per write. Every write gets the same timeout, so
 * the oldest unsettled write always expires first: writes are kept in start order, settled ones
 * are dropped from the front, and one timer is armed for the front's deadline, re-armed each time
 * it fires while writes remain. The timer holds the process open only while writes are pending.
 */
export function createDeadlines(timeoutMs: number): Deadlines {
  const queue: Pending[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;

  function prune(): void {
    while (head < queue.length && queue[head].settled) head++;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      timer?.unref();
    } else if (head >= 1024 && head * 2 >= queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  }

  function arm(ms: number): void {
    timer = setTimeout(expire, Math.max(1, Math.ceil(ms)));
  }

  function expire(): void {
    timer = undefined;
    const now = performance.now();
    while (head < queue.length) {
      const oldest = queue[head];
      if (!oldest.settled && oldest.deadline > now) break;
      oldest.settle(TIMED_OUT); // a no-op if it settled meanwhile
      prune();
    }
    if (head < queue.length) arm(queue[head].deadline - now);
  }

  return {
    add(write) {
      queue.push(write);
      if (!timer) arm(timeoutMs);
      else if (queue.length === 1) timer.ref();
    },
    prune,
  };
}
