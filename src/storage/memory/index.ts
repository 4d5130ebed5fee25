/** In-memory storage for tests and ephemeral servers. Values are copied in and out. */
import { childrenOf } from '../list.js';
import type { PhysicalStorage, StorageOp } from '../types.js';

export function createMemoryStorage(): PhysicalStorage & { readonly size: number; keys(): string[] } {
  const map = new Map<string, Uint8Array>();
  const apply = (op: StorageOp) => {
    if (op.op === 'put') map.set(op.key, Uint8Array.from(op.value));
    else map.delete(op.key);
  };
  return {
    get size() { return map.size; },
    keys: () => [...map.keys()].sort(),
    async get(key) {
      const v = map.get(key);
      return v === undefined ? undefined : Uint8Array.from(v);
    },
    async put(key, value) { apply({ op: 'put', key, value }); },
    async delete(key) { map.delete(key); },
    async list(prefix) { return childrenOf([...map.keys()].sort(), prefix); },
    async transaction(ops) { for (const op of ops) apply(op); },
    async close() { map.clear(); },
  };
}
