/**
 * Per-secret serialization of read-modify-write sequences (Vault takes a lock per key for the
 * same reason): two concurrent writes to one secret must not both become version n+1.
 * In-process only; a mount's backend instance is the only writer of its storage.
 */
export type KeyedLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export function keyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every path.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
