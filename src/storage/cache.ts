/**
 * A read cache in front of a physical backend, as Vault's physical cache: it holds what the
 * backend holds — barrier ciphertext, never plaintext — so it changes nothing about what is
 * exposed, and saves the database read on hot keys (a KV read is two gets). Writes go through
 * to the backend first and then update the cache; a failed write leaves the key uncached. It is
 * bounded in entries and in bytes (DEFAULT_CACHE_BYTES); a value over MAX_CACHED_VALUE_BYTES is
 * read from the backend every time.
 *
 * A backend that answers out of order (PostgreSQL: reads and writes on different connections)
 * must not let an old answer into the cache: a read that overlapped a write of its key at any
 * point — in flight when the write began, begun while it was in flight, or ending while one is —
 * is returned but not remembered (it may predate the write: a revoked token would be served from
 * here again); and of two writes of one key in flight together, only the last begun fills the
 * cache — the others leave it empty.
 */
import { LruMap } from '../lib/lru.js';
import type { PhysicalStorage, StorageOp } from './types.js';

export const DEFAULT_CACHE_ENTRIES = 4096;
/**
 * The bytes of values held at most, and the largest value held: callers choose what they store
 * (a KV secret, a wrapped response), so a count alone would let a few large values fill memory.
 */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
export const MAX_CACHED_VALUE_BYTES = 1024 * 1024;

export interface CachedStorage extends PhysicalStorage {
  readonly cached: number;
  /** The bytes of the values held. */
  readonly cachedBytes: number;
  /** Forgets everything. */
  clear(): void;
  /**
   * Off: every read goes to the backend and nothing is remembered. An HA node caches only while
   * it is active: while it stands by, other nodes write (and the seal's records can appear or change).
   */
  setEnabled(on: boolean): void;
}

export function cachedStorage(backend: PhysicalStorage, maxEntries = DEFAULT_CACHE_ENTRIES, maxBytes = DEFAULT_CACHE_BYTES): CachedStorage {
  // null: known absent, so a miss is not a database read either.
  const cache = new LruMap<string, Uint8Array | null>(maxEntries, maxBytes);
  let enabled = true;
  /** Keeps a copy of `value` (the caller's buffer stays the caller's); null: known absent. */
  const remember = (key: string, value: Uint8Array | null) => {
    if (!enabled) return;
    if (value !== null && value.byteLength > MAX_CACHED_VALUE_BYTES) cache.delete(key);
    else cache.set(key, value && Uint8Array.from(value), value?.byteLength ?? 0);
  };
  // Reads and writes in flight, by key (as many as requests in flight: entries leave when they end).
  const reads = new Map<string, Set<Read>>();
  const writes = new Map<string, Write>();

  /** Marks the key's reads in flight stale and counts the write; its turn for filling the cache. */
  const beginWrite = (key: string): number => {
    for (const read of reads.get(key) ?? []) read.stale = true;
    cache.delete(key);
    let w = writes.get(key);
    if (!w) writes.set(key, (w = { inFlight: 0, latest: 0 }));
    w.inFlight++;
    return ++w.latest;
  };
  /** Ends a write: the cache takes its value only if it succeeded and no later write of the key began. */
  const endWrite = (key: string, turn: number, value: Uint8Array | null | undefined) => {
    const w = writes.get(key)!;
    if (--w.inFlight === 0) writes.delete(key);
    if (value !== undefined && turn === w.latest) remember(key, value);
    else cache.delete(key);
  };
  const written = async (ops: readonly StorageOp[], write: () => Promise<void>) => {
    const turns = ops.map((op) => beginWrite(op.key));
    let ok = false;
    try {
      await write();
      ok = true;
    } finally {
      ops.forEach((op, i) => endWrite(op.key, turns[i]!, !ok ? undefined : op.op === 'put' ? op.value : null));
    }
  };

  return {
    get cached() { return cache.size; },
    get cachedBytes() { return cache.weight; },
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
      // Begun while a write of the key is in flight: storage may answer it with what the write replaces.
      const read: Read = { stale: writes.has(key) };
      let inFlight = reads.get(key);
      if (!inFlight) reads.set(key, (inFlight = new Set()));
      inFlight.add(read);
      try {
        const value = await backend.get(key);
        if (!read.stale && !writes.has(key)) remember(key, value ?? null);
        return value;
      } finally {
        inFlight.delete(read);
        if (inFlight.size === 0 && reads.get(key) === inFlight) reads.delete(key);
      }
    },
    put: (key, value) => written([{ op: 'put', key, value }], () => backend.put(key, value)),
    delete: (key) => written([{ op: 'delete', key }], () => backend.delete(key)),
    async putIfAbsent(key, value) {
      const turn = beginWrite(key);
      let stored: Uint8Array | undefined;
      try {
        stored = await backend.putIfAbsent(key, value);
        return stored;
      } finally {
        endWrite(key, turn, stored);
      }
    },
    list: (prefix) => backend.list(prefix),
    transaction: (ops) => written(ops, () => backend.transaction(ops)),
    async close() {
      cache.clear();
      await backend.close();
    },
  };
}

interface Read { stale: boolean }
interface Write { inFlight: number; latest: number }
