/**
 * Typed access to the KV records in the mount's storage (layout.ts). Reads are single gets;
 * every change is one atomic transaction built from the *Op helpers, so a failed request leaves
 * storage as it was.
 *
 * Metadata and version records are kept decoded in a bounded LRU, deeply frozen: this instance
 * is the only writer of its mount's keys, and `commit` replaces every key it touches with what it
 * wrote (or forgets it, when the write fails), so the cache never serves a stale record. Sharing
 * frozen records lets the layers above memoize what they derive from them (the version view, each
 * audit device's HMAC'd copy). The cache lives in the unsealed services and goes when the server
 * seals.
 */
import { deepFreeze } from '../../lib/immutable.js';
import { LruMap } from '../../lib/lru.js';
import { decodeJson, encodeJson, getJson, putJson, type Storage, type StorageOp } from '../../storage/index.js';
import { keyedLock, type KeyedLock } from '../../lib/keyed-lock.js';
import { CONFIG_KEY, metadataFolder, metadataKey, versionKey } from './layout.js';
import { DEFAULT_CONFIG, type KeyMetadata, type KvConfig } from './model.js';

export type SecretData = Record<string, unknown>;

export interface KvStore {
  /** The mount config (cached: this instance is the only writer). */
  config(): Promise<KvConfig>;
  putConfig(config: KvConfig): Promise<void>;
  metadata(path: string): Promise<KeyMetadata | undefined>;
  versionData(path: string, version: number): Promise<SecretData | undefined>;
  /** Immediate children of a metadata folder ("" or ending in `/`). */
  list(folder: string): Promise<string[]>;
  commit(ops: StorageOp[]): Promise<void>;
  /** Runs `fn` while holding the secret's write lock. */
  locked: KeyedLock;
}

const encode = encodeJson;

export const putMetadataOp = (path: string, meta: KeyMetadata): StorageOp =>
  ({ op: 'put', key: metadataKey(path), value: encode(meta) });
export const deleteMetadataOp = (path: string): StorageOp => ({ op: 'delete', key: metadataKey(path) });
export const putVersionOp = (path: string, version: number, data: SecretData): StorageOp =>
  ({ op: 'put', key: versionKey(path, version), value: encode(data) });
export const deleteVersionOp = (path: string, version: number): StorageOp =>
  ({ op: 'delete', key: versionKey(path, version) });

export const DEFAULT_RECORD_CACHE_ENTRIES = 4096;
/** The stored bytes of the records held at most, and of the largest one held (secrets are the callers' size). */
export const DEFAULT_RECORD_CACHE_BYTES = 64 * 1024 * 1024;
export const MAX_CACHED_RECORD_BYTES = 1024 * 1024;

export function kvStore(storage: Storage, cacheEntries = DEFAULT_RECORD_CACHE_ENTRIES): KvStore {
  let cachedConfig: Promise<KvConfig> | undefined;
  /** storage key → frozen record, or null for "not found". */
  const records = new LruMap<string, unknown>(cacheEntries, DEFAULT_RECORD_CACHE_BYTES);
  /** Records are weighed by their stored bytes; one over MAX_CACHED_RECORD_BYTES is read every time. */
  const keep = (key: string, value: unknown, bytes: number) => {
    if (bytes > MAX_CACHED_RECORD_BYTES) records.delete(key);
    else records.set(key, value, bytes);
  };
  /** Bumped by every commit, so a read that raced one does not cache what it saw. */
  let generation = 0;

  async function record<T>(key: string): Promise<T | undefined> {
    const hit = records.get(key);
    if (hit !== undefined) return hit === null ? undefined : (hit as T);
    const seen = generation;
    const raw = await storage.get(key);
    const value = raw === undefined ? undefined : (decodeJson(raw) as T);
    if (value !== undefined) deepFreeze(value);
    if (seen === generation) keep(key, value ?? null, raw?.byteLength ?? 0);
    return value;
  }

  return {
    config() {
      if (!cachedConfig) {
        const loading = getJson<KvConfig>(storage, CONFIG_KEY).then((c) => ({ ...DEFAULT_CONFIG, ...c }));
        cachedConfig = loading;
        // A failed read must not be cached.
        loading.catch(() => { if (cachedConfig === loading) cachedConfig = undefined; });
      }
      return cachedConfig.then((c) => ({ ...c }));
    },
    async putConfig(config) {
      await putJson(storage, CONFIG_KEY, config);
      cachedConfig = Promise.resolve({ ...config });
    },
    metadata: (path) => record<KeyMetadata>(metadataKey(path)),
    versionData: (path, version) => record<SecretData>(versionKey(path, version)),
    list: (folder) => storage.list(metadataFolder(folder)),
    async commit(ops) {
      generation++;
      for (const op of ops) records.delete(op.key);
      try {
        await storage.transaction(ops);
      } finally {
        generation++;
        for (const op of ops) records.delete(op.key);
      }
      // Write-through: a put's bytes are what the next read of its key would decode, so decode
      // them now instead of reading them back (the next write of a secret reads its metadata).
      for (const op of ops) if (op.op === 'put' && op.value.byteLength <= MAX_CACHED_RECORD_BYTES) keep(op.key, deepFreeze(decodeJson(op.value)), op.value.byteLength);
    },
    locked: keyedLock(),
  };
}
