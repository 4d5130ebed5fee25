/**
 * Keys and aliases in the KMS mount's encrypted storage, with a write-through in-memory cache
 * (every Encrypt/Decrypt reads its key; this process is the only writer). The cache is bounded: a
 * key it forgot is read back from storage. Mutations of one key are serialized so a lazy rotation
 * and an EnableKey never lose each other's write; an alias's check and change run under the
 * alias's own lock (`withAlias`), so two CreateAlias of one name cannot both succeed. A read that
 * raced a write of its key does not fill the cache (storage may answer it after the write).
 */
import { keyedLock } from '../../lib/keyed-lock.js';
import { LruMap } from '../../lib/lru.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import type { AliasRecord, KmsKeyRecord } from './model.js';

export interface KeyStore {
  get(keyId: string): Promise<KmsKeyRecord | undefined>;
  create(key: KmsKeyRecord): Promise<void>;
  /**
   * Applies `change` to the current record under the key's lock; returns the stored result. A
   * precondition on the key's state belongs in `change`, which may throw to refuse (nothing is
   * written): checked before, it may no longer hold. `beforeWrite`, given the change and the record
   * it was made from, runs before the change is stored, still under the lock; if it throws, nothing is.
   */
  update(
    keyId: string, change: (key: KmsKeyRecord) => KmsKeyRecord, beforeWrite?: (next: KmsKeyRecord, cur: KmsKeyRecord) => Promise<void>,
  ): Promise<KmsKeyRecord | undefined>;
  remove(keyId: string): Promise<void>;
  /** Key ids, sorted. */
  listIds(): Promise<string[]>;
  getAlias(aliasName: string): Promise<AliasRecord | undefined>;
  putAlias(alias: AliasRecord): Promise<void>;
  deleteAlias(aliasName: string): Promise<void>;
  /**
   * Runs `fn` holding the alias's lock: what it reads of the alias (getAlias) stays true until it
   * ends, against every other `withAlias` of the same name.
   */
  withAlias<T>(aliasName: string, fn: () => Promise<T>): Promise<T>;
  /** How many aliases name the key. */
  aliasCount(keyId: string): Promise<number>;
  /** Loads the aliases once (a no-op after): `aliasNamesOf` answers only once they are. */
  aliasesLoaded(): Promise<void>;
  /**
   * The names of the aliases of the key, sorted (the key policy's kms:ResourceAliases); empty
   * before `aliasesLoaded` has resolved.
   */
  aliasNamesOf(keyId: string): readonly string[];
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
  /** Alias names by target key, kept with `aliases`: a call's kms:ResourceAliases without a scan. */
  const namesByKey = new Map<string, string[]>();
  const indexAlias = (alias: AliasRecord) => {
    const names = namesByKey.get(alias.targetKeyId) ?? [];
    names.push(alias.aliasName);
    names.sort();
    namesByKey.set(alias.targetKeyId, names);
  };
  const unindexAlias = (alias: AliasRecord) => {
    const names = namesByKey.get(alias.targetKeyId)?.filter((n) => n !== alias.aliasName) ?? [];
    if (names.length > 0) namesByKey.set(alias.targetKeyId, names);
    else namesByKey.delete(alias.targetKeyId);
  };
  const locked = keyedLock();
  const aliasLock = keyedLock();
  /** Bumped before and after every write of a key record: a read that spans one does not fill the cache. */
  let generation = 0;

  async function load(keyId: string): Promise<KmsKeyRecord | undefined> {
    const cached = keys.get(keyId);
    if (cached) return cached;
    const seen = generation;
    const stored = await getJson<KmsKeyRecord>(storage, KEY_PREFIX + keyId);
    if (stored && seen === generation) keys.set(keyId, stored);
    return stored;
  }

  async function written(keyId: string, write: () => Promise<void>, next: KmsKeyRecord | undefined): Promise<void> {
    generation++;
    keys.delete(keyId);
    try {
      await write();
    } finally {
      generation++;
      // A read begun during the write and answered before its end may have filled the cache.
      keys.delete(keyId);
    }
    if (next) keys.set(keyId, next);
  }

  // Loaded once: every caller waits for the same load, so a write's change is made to the map kept.
  let loadingAliases: Promise<Map<string, AliasRecord>> | undefined;
  function allAliases(): Promise<Map<string, AliasRecord>> {
    if (aliases) return Promise.resolve(aliases);
    loadingAliases ??= (async () => {
      const loaded = new Map<string, AliasRecord>();
      for (const name of await storage.list(ALIAS_PREFIX)) {
        const rec = await getJson<AliasRecord>(storage, ALIAS_PREFIX + name);
        if (rec) loaded.set(rec.aliasName, rec);
      }
      namesByKey.clear();
      for (const rec of loaded.values()) indexAlias(rec);
      aliases = loaded;
      return loaded;
    })().finally(() => { loadingAliases = undefined; });
    return loadingAliases;
  }

  return {
    get cached() { return keys.size; },
    get: load,
    create: (key) => written(key.keyId, () => putJson(storage, KEY_PREFIX + key.keyId, key), key),
    update: (keyId, change, beforeWrite) => locked(keyId, async () => {
      const cur = await load(keyId);
      if (!cur) return undefined;
      const next = change(cur);
      if (next === cur) return cur;
      await beforeWrite?.(next, cur);
      await written(keyId, () => putJson(storage, KEY_PREFIX + keyId, next), next);
      return next;
    }),
    remove: (keyId) => locked(keyId, () => written(keyId, () => storage.delete(KEY_PREFIX + keyId), undefined)),
    listIds: () => storage.list(KEY_PREFIX).then((ids) => ids.filter((id) => !id.endsWith('/'))),
    getAlias: async (name) => (await allAliases()).get(name),
    async putAlias(alias) {
      const map = await allAliases();
      await putJson(storage, aliasKey(alias.aliasName), alias);
      const previous = map.get(alias.aliasName);
      if (previous) unindexAlias(previous);
      map.set(alias.aliasName, alias);
      indexAlias(alias);
    },
    async deleteAlias(name) {
      const map = await allAliases();
      await storage.delete(aliasKey(name));
      const previous = map.get(name);
      if (previous) unindexAlias(previous);
      map.delete(name);
    },
    withAlias: (name, fn) => aliasLock(name, fn),
    async aliasCount(keyId) {
      let n = 0;
      for (const a of (await allAliases()).values()) if (a.targetKeyId === keyId) n++;
      return n;
    },
    aliasesLoaded: async () => { await allAliases(); },
    aliasNamesOf: (keyId) => namesByKey.get(keyId) ?? [],
    listAliases: async () => [...(await allAliases()).values()].sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0)),
  };
}
