/**
 * In-memory storage for tests and ephemeral servers. Values are copied in and out. Keys and values
 * are checked as the other backends check them, all before a transaction applies any op, so a bad
 * op leaves nothing half-applied here either.
 */
import { invalid } from '../../errors/index.js';
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
      checkKey(key);
      const v = map.get(key);
      return v === undefined ? undefined : Uint8Array.from(v);
    },
    async put(key, value) { apply(checkOp({ op: 'put', key, value })); },
    async delete(key) { apply(checkOp({ op: 'delete', key })); },
    async putIfAbsent(key, value) {
      if (!map.has(key)) apply(checkOp({ op: 'put', key, value }));
      else checkOp({ op: 'put', key, value });
      return Uint8Array.from(map.get(key)!);
    },
    async list(prefix) {
      if (typeof prefix !== 'string') throw invalid('storage list prefix must be a string', 'invalid_storage_key');
      return childrenOf([...map.keys()].sort(), prefix);
    },
    async transaction(ops) {
      for (const op of ops) checkOp(op);
      for (const op of ops) apply(op);
    },
    async close() { map.clear(); },
  };
}

function checkOp(op: StorageOp): StorageOp {
  checkKey(op.key);
  if (op.op === 'put') {
    if (!(op.value instanceof Uint8Array)) throw invalid('storage value must be bytes (Uint8Array)', 'invalid_storage_value');
  } else if (op.op !== 'delete') {
    throw invalid(`unknown storage operation ${JSON.stringify((op as { op: unknown }).op)}`, 'invalid_storage_op');
  }
  return op;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw invalid('storage key must be a non-empty string', 'invalid_storage_key');
}
