/**
 * The storage interface every backend (memory, SQLite, later PostgreSQL) implements, and that the
 * encryption barrier wraps. Keys are `/`-separated paths; values are opaque bytes.
 */
import { parseJson, stringifyJson } from '../lib/json-text.js';

export type StorageOp =
  | { op: 'put'; key: string; value: Uint8Array }
  | { op: 'delete'; key: string };

export interface Storage {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * The immediate children of `prefix`, sorted: leaf keys by their last segment, "folders" by their
   * next segment with a trailing `/` (Vault's list semantics). `prefix` is "" or ends in `/`.
   */
  list(prefix: string): Promise<string[]>;
  /** Applies all operations atomically, in order. */
  transaction(ops: StorageOp[]): Promise<void>;
}

/** A physical backend also has a lifecycle, and a first write that nodes sharing it cannot race on. */
export interface PhysicalStorage extends Storage {
  /**
   * Stores `value` at `key` unless the key holds a value already, and answers the value it holds
   * afterwards: `value` when this call stored it, else the one found. Of concurrent calls for one
   * key, from this process or another on the same database, one stores and all answer its value.
   */
  putIfAbsent(key: string, value: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A view of `storage` under `prefix` (which ends in `/`); keys given to the view are relative. */
export function storageView(storage: Storage, prefix: string): Storage {
  if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`storage view prefix must end in "/": ${prefix}`);
  return {
    get: (key) => storage.get(prefix + key),
    put: (key, value) => storage.put(prefix + key, value),
    delete: (key) => storage.delete(prefix + key),
    list: (p) => storage.list(prefix + p),
    transaction: (ops) => storage.transaction(ops.map((o) => ({ ...o, key: prefix + o.key }))),
  };
}

/**
 * JSON helpers for the common case of storing records. Records may hold values a client sent, so
 * numbers keep their literal text (lib/json-text.ts); a record holding none costs what
 * JSON.parse/JSON.stringify cost.
 */
export async function getJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  const raw = await storage.get(key);
  return raw === undefined ? undefined : (decodeJson(raw) as T);
}

export function putJson(storage: Storage, key: string, value: unknown): Promise<void> {
  return storage.put(key, encodeJson(value));
}

/** A stored value's bytes as JSON, numbers kept digit for digit. */
export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(stringifyJson(value), 'utf8');
}

export function decodeJson(bytes: Uint8Array): unknown {
  return parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
