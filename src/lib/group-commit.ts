/**
 * Group commit: what is added while a commit runs, or before the current turn's pending callbacks
 * and promise reactions have run, goes into the next commit — one transaction or one write for
 * many requests, each acknowledged only once the commit holding it succeeded. A batch starts on
 * `process.nextTick`: the requests handled together have added their items by then, and waiting
 * for the next turn of the event loop (`setImmediate`) would hold every request it acknowledges
 * one turn longer. At most one commit runs at a time; a failed commit fails every item of its
 * batch, and the next batch goes on.
 *
 * Every item of a batch gets the same promise, the commit's result: one promise per batch, which
 * also lets the audit broker settle the entries of a batch as one group. An item's own part of
 * the result is found by its place in the batch (`forming`, read before `add`).
 */

export interface GroupCommit<T, R> {
  /** Adds an item to the batch forming now; returns that batch's promise. */
  add(item: T): Promise<R>;
  /** How many items the forming batch holds: the place in it of the next item added. */
  readonly forming: number;
  /** Starts the forming batch's commit now unless one runs (a synchronous commit is over on return). */
  flush(): void;
  /** Commits everything added so far; resolves once no commit runs and no item waits. */
  drain(): Promise<void>;
}

interface Batch<T, R> {
  items: T[];
  done: Promise<R>;
  resolve(result: R): void;
  reject(err: unknown): void;
}

function openBatch<T, R>(): Batch<T, R> {
  let resolve!: (result: R) => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<R>((res, rej) => { resolve = res; reject = rej; });
  // Every item's caller awaits `done`; this keeps a failure with no caller left from being unhandled.
  done.catch(() => undefined);
  return { items: [], done, resolve, reject };
}

/** `commit` gets a batch's items in the order added; synchronous or not, it runs alone. */
export function groupCommit<T, R>(commit: (items: T[]) => R | Promise<R>): GroupCommit<T, R> {
  let next: Batch<T, R> | undefined;
  let running: Promise<void> | undefined;
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const batch = next;
    if (running || !batch) return;
    next = undefined;
    let result: R | Promise<R>;
    try {
      result = commit(batch.items);
    } catch (err) {
      batch.reject(err);
      return;
    }
    if (!(result instanceof Promise)) {
      batch.resolve(result);
      return;
    }
    running = result.then(batch.resolve, batch.reject).finally(() => {
      running = undefined;
      // What was added during the commit goes now, as one batch.
      flush();
    });
  };

  return {
    add(item) {
      if (!next) {
        next = openBatch();
        if (!running && !scheduled) {
          scheduled = true;
          process.nextTick(flush);
        }
      }
      next.items.push(item);
      return next.done;
    },
    get forming() {
      return next?.items.length ?? 0;
    },
    flush,
    async drain() {
      flush();
      while (running) await running;
    },
  };
}
