/**
 * Items queued per owner and taken one owner at a time in turn, each owner's in arrival order:
 * an owner with many items waiting does not hold back one with a single item. The journal's
 * readers (serial-worker.ts, reader-turns.ts) are served this way, one owner per token.
 */
export interface TurnQueue<T> {
  readonly size: number;
  push(owner: string, item: T): void;
  /** The next item: the first owner's in turn, passing over the owner last served when another waits. */
  take(): T | undefined;
  /** Removes `item` from `owner`'s queue (one that gave up waiting); whether it was there. */
  remove(owner: string, item: T): boolean;
  /** Empties the queue, returning every item still waiting. */
  drain(): T[];
}

export function createTurnQueue<T>(): TurnQueue<T> {
  // Owners in turn order, each with its items in arrival order.
  const queues = new Map<string, T[]>();
  let size = 0;
  let lastOwner: string | undefined;
  return {
    get size() {
      return size;
    },
    push(owner, item) {
      const items = queues.get(owner) ?? [];
      queues.set(owner, items);
      items.push(item);
      size++;
    },
    take() {
      let [owner, items] = queues.entries().next().value ?? [];
      if (owner === undefined || !items) return undefined;
      if (owner === lastOwner && queues.size > 1) {
        queues.delete(owner);
        queues.set(owner, items);
        [owner, items] = queues.entries().next().value!;
      }
      const item = items.shift()!;
      queues.delete(owner);
      if (items.length > 0) queues.set(owner, items);
      lastOwner = owner;
      size--;
      return item;
    },
    remove(owner, item) {
      const items = queues.get(owner);
      const at = items?.indexOf(item) ?? -1;
      if (!items || at < 0) return false;
      items.splice(at, 1);
      if (items.length === 0) queues.delete(owner);
      size--;
      return true;
    },
    drain() {
      const all = [...queues.values()].flat();
      queues.clear();
      size = 0;
      return all;
    },
  };
}
