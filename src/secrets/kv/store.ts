/**
 * Typed access to the KV records in the mount's storage (layout.ts). Reads are single gets;
 * every change is one atomic transaction built from the *Op helpers, so a failed request leaves
 * storage as it was.
 */
import { getJson, putJson, type Storage, type StorageOp } from '../../storage/types.js';
import { keyedLock, type KeyedLock } from './lock.js';
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

const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

export const putMetadataOp = (path: string, meta: KeyMetadata): StorageOp =>
  ({ op: 'put', key: metadataKey(path), value: encode(meta) });
export const deleteMetadataOp = (path: string): StorageOp => ({ op: 'delete', key: metadataKey(path) });
export const putVersionOp = (path: string, version: number, data: SecretData): StorageOp =>
  ({ op: 'put', key: versionKey(path, version), value: encode(data) });
export const deleteVersionOp = (path: string, version: number): StorageOp =>
  ({ op: 'delete', key: versionKey(path, version) });

export function kvStore(storage: Storage): KvStore {
  let cachedConfig: Promise<KvConfig> | undefined;
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
    metadata: (path) => getJson<KeyMetadata>(storage, metadataKey(path)),
    versionData: (path, version) => getJson<SecretData>(storage, versionKey(path, version)),
    list: (folder) => storage.list(metadataFolder(folder)),
    commit: (ops) => storage.transaction(ops),
    locked: keyedLock(),
  };
}
