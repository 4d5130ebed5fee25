/**
 * Storage of named contexts (write or read) under one prefix. The built-in contexts are written
 * when the domain is initialized, so they can be read, listed and (except `default`) changed like
 * any other.
 */
import { invalid } from '../../errors/index.js';
import { getJson, putJson, type Storage, type StorageOp } from '../../storage/index.js';

export interface ContextStore<T extends { name: string }> {
  /** Writes the built-ins that are not stored yet. */
  seed(): Promise<void>;
  get(name: string): Promise<T | undefined>;
  /** Stores `context` and `alongside` (its control record) in one transaction. */
  put(context: T, alongside?: StorageOp[]): Promise<void>;
  /** False (and nothing written) when nothing was stored under the name. */
  delete(name: string, alongside?: StorageOp[]): Promise<boolean>;
  list(): Promise<string[]>;
}

export function contextStore<T extends { name: string }>(
  storage: Storage,
  prefix: string,
  builtins: readonly T[],
  undeletable: ReadonlySet<string>,
): ContextStore<T> {
  const key = (name: string) => `${prefix}${name}`;
  return {
    async seed() {
      for (const b of builtins) if ((await storage.get(key(b.name))) === undefined) await putJson(storage, key(b.name), b);
    },
    get: (name) => getJson<T>(storage, key(name)),
    put: (context, alongside = []) =>
      storage.transaction([{ op: 'put', key: key(context.name), value: Buffer.from(JSON.stringify(context), 'utf8') }, ...alongside]),
    async delete(name, alongside = []) {
      if (undeletable.has(name)) throw invalid(`the "${name}" context cannot be deleted`, 'capsule_context_protected');
      if ((await storage.get(key(name))) === undefined) return false;
      await storage.transaction([{ op: 'delete', key: key(name) }, ...alongside]);
      return true;
    },
    list: async () => (await storage.list(prefix)).filter((k) => !k.endsWith('/')),
  };
}
