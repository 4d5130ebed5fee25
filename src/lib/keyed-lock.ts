/**
 * Serializes async work, per key or all of it. The contract every caller relies on:
 * - FIFO per key: work for one key starts in call order, each after the previous one settled;
 *   work for different keys does not wait for each other.
 * - A failure does not poison the queue: the next piece of work runs whether the previous one
 *   resolved or rejected, and only the caller of the failed piece sees its error.
 * - Bounded memory: a key's entry is dropped as soon as its queue drains, before its last caller
 *   resumes, so the map holds only keys with work in flight.
 */
export interface KeyedLock {
  <T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running. */
  readonly size: number;
}

export function keyedLock(): KeyedLock {
  // Each key maps to the release signal of its newest holder; it resolves, never rejects.
  const tails = new Map<string, Promise<void>>();
  async function run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    tails.set(key, mine);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === mine) tails.delete(key);
    }
  }
  return Object.defineProperty(run, 'size', { get: () => tails.size }) as KeyedLock;
}

/** One queue for everything: the keyed lock with a single key. */
export type Serializer = <T>(fn: () => Promise<T>) => Promise<T>;

export function createSerializer(): Serializer {
  const lock = keyedLock();
  return (fn) => lock('', fn);
}
