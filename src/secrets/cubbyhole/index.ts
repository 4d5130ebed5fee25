/**
 * The cubbyhole secrets engine, as Vault's: at `cubbyhole/`, each token's own private storage,
 * which no other token — root included — can read, and which goes when the token goes (revoked,
 * revoked with its parent, or expired and tidied: the token store calls `destroy`). The server
 * mounts it at every unseal; it cannot be disabled or moved.
 *
 *   PUT/POST cubbyhole/<path>  { any fields }   stores the fields (at least one), 204
 *   GET      cubbyhole/<path>                  the fields, or 404
 *   LIST     cubbyhole/<prefix>                the keys below, or 404
 *   DELETE   cubbyhole/<path>                  204
 *
 * A token's data lives under its id hash (never the token or its accessor, which the physical
 * store's keys would show): `<id hash>/<path>` in the mount's storage. Limits: the default policy
 * grants every token its cubbyhole, so, unbounded, any token could fill the disk — a value is at
 * most MAX_VALUE_BYTES of JSON and a token keeps at most MAX_ENTRIES paths.
 */
import { backendFromPaths, type Backend, type BackendFactory, type LogicalResponse, type PathRequest } from '../../core/index.js';
import { invalid, permissionDenied, SealtrailError } from '../../errors/index.js';
import { keyedLock } from '../../lib/keyed-lock.js';
import { encodeJson, decodeJson, type Storage } from '../../storage/index.js';

/** The largest value one path holds (its fields as JSON). */
export const MAX_VALUE_BYTES = 1024 * 1024;
/** The most paths one token's cubbyhole holds. */
export const MAX_ENTRIES = 256;

export interface Cubbyholes {
  backend: Backend;
  /** Removes every path of the token with this id hash (its revocation). */
  destroy(idHash: string): Promise<void>;
}

/** Every key under `prefix` (which ends in "/"), depth first; stops past `limit`. */
async function keysUnder(storage: Storage, prefix: string, limit = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const name of await storage.list(at)) {
      if (out.length > limit) return;
      if (name.endsWith('/')) await walk(`${at}${name}`);
      else out.push(`${at}${name}`);
    }
  };
  await walk(prefix);
  return out;
}

export function createCubbyholes(storage: Storage): Cubbyholes {
  // Writes and deletions of one token's cubbyhole one at a time: the entry count stays exact.
  const lock = keyedLock();
  const space = (req: PathRequest): string => {
    // The path needs a token (it is not unauthenticated): the lifecycle refused a request without one.
    if (!req.token) throw permissionDenied();
    return `${req.token.idHash}/`;
  };
  const pathOf = (req: PathRequest): string => {
    const path = req.params.path ?? '';
    if (path === '' || path.endsWith('/')) throw invalid('missing path', 'invalid_field');
    return path;
  };

  async function read(req: PathRequest): Promise<LogicalResponse> {
    const raw = await storage.get(`${space(req)}${pathOf(req)}`);
    if (raw === undefined) return { httpStatus: 404 };
    return { data: decodeJson(raw) as Record<string, unknown> };
  }

  async function write(req: PathRequest): Promise<undefined> {
    const base = space(req);
    const key = `${base}${pathOf(req)}`;
    if (Object.keys(req.data).length === 0) throw invalid('missing data fields', 'invalid_field');
    const value = encodeJson(req.data);
    if (value.length > MAX_VALUE_BYTES) {
      throw new SealtrailError('too_large', 'cubbyhole_too_large', `a cubbyhole value is at most ${MAX_VALUE_BYTES} bytes of JSON`);
    }
    await lock(base, async () => {
      if ((await storage.get(key)) === undefined && (await keysUnder(storage, base, MAX_ENTRIES)).length >= MAX_ENTRIES) {
        throw new SealtrailError('too_large', 'cubbyhole_too_large', `a token's cubbyhole holds at most ${MAX_ENTRIES} paths`);
      }
      await storage.put(key, value);
    });
    return undefined;
  }

  async function remove(req: PathRequest): Promise<undefined> {
    const base = space(req);
    const key = `${base}${pathOf(req)}`;
    await lock(base, () => storage.delete(key));
    return undefined;
  }

  async function list(req: PathRequest): Promise<LogicalResponse> {
    const prefix = req.params.path ?? '';
    const keys = await storage.list(`${space(req)}${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}`);
    return keys.length === 0 ? { httpStatus: 404 } : { data: { keys } };
  }

  const backend = backendFromPaths([{
    pattern: '(?<path>.*)',
    handlers: { read, create: write, update: write, delete: remove, list },
    existenceCheck: async (req) => req.token !== undefined && (req.params.path ?? '') !== '' && (await storage.get(`${req.token.idHash}/${req.params.path}`)) !== undefined,
  }]);

  return {
    backend,
    async destroy(idHash) {
      const base = `${idHash}/`;
      await lock(base, async () => {
        for (const key of await keysUnder(storage, base)) await storage.delete(key);
      });
    },
  };
}

/** The engine's factory, handing the instance to `opened` (the server wires its `destroy` to token revocation). */
export const cubbyholeBackend = (opened: (cubbyholes: Cubbyholes) => void): BackendFactory => ({ storage }) => {
  const cubbyholes = createCubbyholes(storage);
  opened(cubbyholes);
  return cubbyholes.backend;
};
