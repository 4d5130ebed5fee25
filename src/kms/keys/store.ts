/**
 * Keys and aliases in the KMS mount's encrypted storage, with a write-through in-memory cache
 * (every Encrypt/Decrypt reads its key; this process is the only writer). The cache is bounded: a
 * key it forgot is read back from storage. Mutations of one key are serialized so a lazy rotation
 * and an EnableKey never lose each other's write.
 */
import { keyedLock } from '../../lib/keyed-lock.js';
import { LruMap } from '../../lib/lru.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import type { AliasRecord, KmsKeyRecord } from './model.js';

export interface KeyStore {
  get(keyId: string): Promise<KmsKeyRecord | undefined>;
  create(key: KmsKeyRecord): Promise<void>;
  /** Applies `change` to the current record under the key's lock; returns the stored result. */
  update(keyId: string, change: (key: KmsKeyRecord) => KmsKeyRecord): Promise<KmsKeyRecord | undefined>;
  remove(keyId: string): Promise<void>;
  /** Key ids, sorted. */
  listIds(): Promise<string[]>;
  getAlias(aliasName: string): Promise<AliasRecord | undefined>;
  putAlias(alias: AliasRecord): Promise<void>;
  deleteAlias(aliasName: string): Promise<void>;
  /** All aliases, sorted by name. */
  listAliases(): Promise<AliasRecord[]>;
  /** Key records held in memory, at most the cache's capacity. */
  readonly cached: number;
}

const KEY_PREFIX = 'keys/';
const ALIAS_PREFIX = 'aliases/';
// Alias names may contain "/", which storage would treat as folders.
const aliasKey = (name: string) => ALIAS_PREFIX + encodeURIComponent(name);

/** Key records kept in memory; each holds its key material, so a few KiB apiece. */
export const DEFAULT_KEY_CACHE_ENTRIES = 4096;

export function createKeyStore(storage: Storage, cacheEntries = DEFAULT_KEY_CACHE_ENTRIES): KeyStore {
  const keys = new LruMap<string, KmsKeyRecord>(cacheEntries);
  let aliases: Map<string, AliasRecord> | undefined;
  const locked = keyedLock();

  async function load(keyId: string): Promise<KmsKeyRecord | undefined> {
    const cached = keys.get(keyId);
    if (cached) return cached;
    const stored = await getJson<KmsKeyRecord>(storage, KEY_PREFIX + keyId);
    if (stored) keys.set(keyId, stored);
    return stored;
  }

  async function allAliases(): Promise<Map<string, AliasRecord>> {
    if (aliases) return aliases;
    const loaded = new Map<string, AliasRecord>();
    for (const name of await storage.list(ALIAS_PREFIX)) {
      const rec = await getJson<AliasRecord>(storage, ALIAS_PREFIX + name);
      if (rec) loaded.set(rec.aliasName, rec);
    }
    aliases = loaded;
    return loaded;
  }

  return {
    get cached() { return keys.size; },
    get: load,
    async create(key) {
      await putJson(storage, KEY_PREFIX + key.keyId, key);
      keys.set(key.keyId, key);
    },
    update: (keyId, change) => locked(keyId, async () => {
      const cur = await load(keyId);
      if (!cur) return undefined;
      const next = change(cur);
      if (next === cur) return cur;
      await putJson(storage, KEY_PREFIX + keyId, next);
      keys.set(keyId, next);
      return next;
    }),
    remove: (keyId) => locked(keyId, async () => {
      await storage.delete(KEY_PREFIX + keyId);
      keys.delete(keyId);
    }),
    listIds: () => storage.list(KEY_PREFIX).then((ids) => ids.filter((id) => !id.endsWith('/'))),
    getAlias: async (name) => (await allAliases()).get(name),
    async putAlias(alias) {
      const map = await allAliases();
      await putJson(storage, aliasKey(alias.aliasName), alias);
      map.set(alias.aliasName, alias);
    },
    async deleteAlias(name) {
      const map = await allAliases();
      await storage.delete(aliasKey(name));
      map.delete(name);
    },
    listAliases: async () => [...(await allAliases()).values()].sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0)),
  };
}
