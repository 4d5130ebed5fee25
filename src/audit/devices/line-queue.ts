/**
 * The ordered, coalescing queue every sink writes through. A batch starts once the current turn's
 * pending callbacks and promise reactions have run (`process.nextTick`), so the lines of requests
 * handled together go out in one write (or fsync, or POST); lines queued while a flush is in
 * flight join the next batch, flushed when that one finished. Never a reordering. All lines of a
 * batch share one promise — settled when their batch is flushed — so a burst of lines costs one
 * promise, not thousands.
 *
 * `exclusive(op)` runs an operation (reopen, rotation, close) after everything queued before it
 * and before everything queued after it; flushes and operations never overlap, so the sink's
 * file descriptor or socket is only ever touched by one task at a time.
 *
 * What a queue holds is bounded (`maxHeldChars`): a destination that stops taking lines (a pipe
 * nobody reads, a SIEM that never answers) while other devices record every entry would otherwise
 * collect every later line in memory. A line that would take the queue past the bound fails at
 * once — the device's failure, counted by the broker like any other — and is never written, so
 * the lines that do reach the destination stay in order.
 */

export interface LineQueueOptions {
  /** Lines per batch at most (default: unbounded). */
  maxLines?: number;
  /**
   * How long a batch that is not full may wait for more lines before it is flushed (default 0:
   * flush as soon as the previous flush finished). Every audited request waits for its line, so
   * this adds directly to request latency.
   */
  lingerMs?: number;
  /**
   * Characters of lines held at most, queued or in the flush in progress (default
   * DEFAULT_MAX_HELD_CHARS). A line over it alone is still taken when the queue holds nothing.
   */
  maxHeldChars?: number;
}

/** 64 Mi characters: 64 to 128 MiB of lines, whatever a device's destination does. */
export const DEFAULT_MAX_HELD_CHARS = 64 * 1024 * 1024;

/** What a flush is told about its batch besides the lines. */
export interface BatchInfo {
  /** performance.now() when the batch's first line was queued: the broker's wait began then. */
  readonly queuedAt: number;
}

export interface LineQueue {
  push(line: string): Promise<void>;
  exclusive(op: () => Promise<void>): Promise<void>;
  /** Lines queued and not yet handed to a flush. */
  readonly queuedLines: number;
  /** Characters of lines queued or in the flush in progress. */
  readonly heldChars: number;
  /** True while a flush or operation runs. */
  readonly busy: boolean;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

type Task =
  | { kind: 'batch'; lines: string[]; chars: number; done: Deferred; info: BatchInfo; full?: () => void }
  | { kind: 'op'; run: () => Promise<void>; done: Deferred };

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  // The broker awaits every write; this only keeps a dropped promise from crashing the server
  // with an unhandled rejection. Callers awaiting `promise` still see the rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export function createLineQueue(flush: (lines: readonly string[], batch: BatchInfo) => Promise<void>, options: LineQueueOptions = {}): LineQueue {
  const maxLines = options.maxLines ?? Infinity;
  const lingerMs = options.lingerMs ?? 0;
  const maxHeldChars = options.maxHeldChars ?? DEFAULT_MAX_HELD_CHARS;
  const tasks: Task[] = [];
  let running = false;
  let queuedLines = 0;
  let heldChars = 0;

  const lingerFor = (task: Task & { kind: 'batch' }) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, lingerMs);
      task.full = () => { clearTimeout(timer); resolve(); };
    });

  async function run(): Promise<void> {
    running = true;
    while (tasks.length > 0) {
      const head = tasks[0];
      if (head.kind === 'batch' && lingerMs > 0 && head.lines.length < maxLines) await lingerFor(head);
      const task = tasks.shift()!;
      try {
        if (task.kind === 'batch') {
          queuedLines -= task.lines.length;
          try {
            await flush(task.lines, task.info);
          } finally {
            heldChars -= task.chars;
          }
        } else {
          await task.run();
        }
        task.done.resolve();
      } catch (err) {
        task.done.reject(asError(err));
      }
    }
    running = false;
  }

  // Deferred, not run now: the other requests of this turn are about to queue their lines too.
  const kick = () => {
    if (running) return;
    running = true;
    process.nextTick(run);
  };

  return {
    push(line) {
      if (heldChars > 0 && heldChars + line.length > maxHeldChars) {
        return Promise.reject(new Error(`the device holds ${heldChars} characters of lines it has not written yet (at most ${maxHeldChars}): its destination is not taking them`));
      }
      queuedLines++;
      heldChars += line.length;
      const last = tasks[tasks.length - 1];
      if (last?.kind === 'batch' && last.lines.length < maxLines) {
        last.lines.push(line);
        last.chars += line.length;
        if (last.lines.length >= maxLines) last.full?.();
        return last.done.promise;
      }
      const task: Task = { kind: 'batch', lines: [line], chars: line.length, done: deferred(), info: { queuedAt: performance.now() } };
      tasks.push(task);
      kick();
      return task.done.promise;
    },
    exclusive(op) {
      const task: Task = { kind: 'op', run: op, done: deferred() };
      tasks.push(task);
      kick();
      return task.done.promise;
    },
    get queuedLines() { return queuedLines; },
    get heldChars() { return heldChars; },
    get busy() { return running; },
  };
}
