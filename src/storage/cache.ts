/**
 * A read cache in front of a physical backend, as Vault's physical cache: it holds what the
 * backend holds — barrier ciphertext, never plaintext — so it changes nothing about what is
 * exposed, and saves the database read on hot keys (a KV read is two gets). Writes go through
 * to the backend first and then update the cache; a failed write leaves the key uncached.
 */
import { LruMap } from '../lib/lru.js';
import type { PhysicalStorage, StorageOp } from './types.js';

export const DEFAULT_CACHE_ENTRIES = 4096;

export interface CachedStorage extends PhysicalStorage {
  readonly cached: number;
  /** Forgets everything. */
  clear(): void;
  /**
   * Off: every read goes to the backend and nothing is remembered. An HA node caches only while
   * it is active: while it stands by, other nodes write (and the seal's records can appear or change).
   */
  setEnabled(on: boolean): void;
}

export function cachedStorage(backend: PhysicalStorage, maxEntries = DEFAULT_CACHE_ENTRIES): CachedStorage {
  // null: known absent, so a miss is not a database read either.
  const cache = new LruMap<string, Uint8Array | null>(maxEntries);
  let enabled = true;
  const remember = (key: string, value: Uint8Array | null) => { if (enabled) cache.set(key, value); };
  const apply = (op: StorageOp) => remember(op.key, op.op === 'put' ? Uint8Array.from(op.value) : null);

  return {
    get cached() { return cache.size; },
    clear: () => cache.clear(),
    setEnabled(on) {
      enabled = on;
      cache.clear();
    },
    async get(key) {
      const hit = cache.get(key);
      if (hit !== undefined) {
        return hit === null ? undefined : Uint8Array.from(hit);
      }
      const value = await backend.get(key);
      remember(key, value === undefined ? null : Uint8Array.from(value));
      return value;
    },
    async put(key, value) {
      cache.delete(key);
      await backend.put(key, value);
      remember(key, Uint8Array.from(value));
    },
    async delete(key) {
      cache.delete(key);
      await backend.delete(key);
      remember(key, null);
    },
    list: (prefix) => backend.list(prefix),
    async transaction(ops) {
      for (const op of ops) cache.delete(op.key);
      await backend.transaction(ops);
      for (const op of ops) apply(op);
    },
    async close() {
      cache.clear();
      await backend.close();
    },
  };
}
