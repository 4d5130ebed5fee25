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
 * A wrapping token reads the response it holds at `cubbyhole/response` (`{response: <the
 * response's JSON text>}`), where Vault keeps it: Vault's deprecated unwrap, which older clients
 * still use. Its one use is spent on that read, as by sys/wrapping/unwrap.
 *
 * A token's data lives under its id hash (never the token or its accessor, which the physical
 * store's keys would show): `<id hash>/<path, encoded>` in the mount's storage. Limits: the default
 * policy grants every token its cubbyhole, so, unbounded, any token could fill the disk — a value
 * is at most MAX_VALUE_BYTES of JSON, a path MAX_PATH_LENGTH characters, and a token keeps at most
 * MAX_ENTRIES paths.
 */
import { backendFromPaths, isWrappingToken, type Backend, type BackendFactory, type LogicalResponse, type PathRequest, type TokenEntry } from '../../core/index.js';
import { invalid, permissionDenied, SealtrailError } from '../../errors/index.js';
import { keyedLock } from '../../lib/keyed-lock.js';
import { encodeJson, decodeJson, type Storage } from '../../storage/index.js';

/** The largest value one path holds (its fields as JSON). */
export const MAX_VALUE_BYTES = 1024 * 1024;
/** The most paths one token's cubbyhole holds. */
export const MAX_ENTRIES = 256;
/** The longest path (characters). */
export const MAX_PATH_LENGTH = 1024;
/** Where a wrapping token reads the response it holds (Vault's deprecated unwrap). */
const WRAPPED_RESPONSE_PATH = 'response';

export interface Cubbyholes {
  backend: Backend;
  /** Removes every path of the token with this id hash (its revocation). */
  destroy(idHash: string): Promise<void>;
}

export interface CubbyholeDeps {
  /**
   * Whether the token is still stored (live, or spent while its last request runs): a write that
   * landed after the token's revocation had destroyed its cubbyhole must not outlive it.
   */
  isStored(token: TokenEntry): Promise<boolean>;
  /**
   * The response a wrapping token holds, as the JSON text of Vault's response envelope, taken out
   * of the wrapping store (undefined when there is none): what the token reads at `response`.
   */
  unwrapped(token: TokenEntry): Promise<string | undefined>;
}

/**
 * Each path is one storage key under its token's space, the path encoded whole (`a%2Fb`), never
 * folders: counting, listing and destroying a token's cubbyhole is one list of at most
 * MAX_ENTRIES keys, however deep its paths.
 */
const keyOf = (path: string) => encodeURIComponent(path);
const pathOf = (key: string) => decodeURIComponent(key);

export function createCubbyholes(storage: Storage, deps: CubbyholeDeps): Cubbyholes {
  // Writes and deletions of one token's cubbyhole one at a time: the entry count stays exact.
  const lock = keyedLock();
  const space = (req: PathRequest): string => {
    // The path needs a token (it is not unauthenticated): the lifecycle refused a request without one.
    if (!req.token) throw permissionDenied();
    return `${req.token.idHash}/`;
  };
  const secretPath = (req: PathRequest): string => {
    const path = req.params.path ?? '';
    if (path === '' || path.endsWith('/')) throw invalid('missing path', 'invalid_field');
    if (path.length > MAX_PATH_LENGTH) throw invalid(`a cubbyhole path is at most ${MAX_PATH_LENGTH} characters`, 'invalid_field');
    return path;
  };

  async function destroyLocked(base: string): Promise<void> {
    for (const key of await storage.list(base)) await storage.delete(`${base}${key}`);
  }

  async function read(req: PathRequest): Promise<LogicalResponse> {
    const path = secretPath(req);
    if (isWrappingToken(req.token) && path === WRAPPED_RESPONSE_PATH) return readWrapped(req.token);
    const raw = await storage.get(`${space(req)}${keyOf(path)}`);
    if (raw === undefined) return { httpStatus: 404 };
    return { data: decodeJson(raw) as Record<string, unknown> };
  }

  /** Vault keeps a wrapped response in its wrapping token's cubbyhole, as `{response: <JSON text>}`. */
  async function readWrapped(token: TokenEntry): Promise<LogicalResponse> {
    const response = await deps.unwrapped(token);
    return response === undefined ? { httpStatus: 404 } : { data: { response } };
  }

  async function write(req: PathRequest): Promise<undefined> {
    const base = space(req);
    const key = `${base}${keyOf(secretPath(req))}`;
    if (Object.keys(req.data).length === 0) throw invalid('missing data fields', 'invalid_field');
    const value = encodeJson(req.data);
    if (value.length > MAX_VALUE_BYTES) {
      throw new SealtrailError('too_large', 'cubbyhole_too_large', `a cubbyhole value is at most ${MAX_VALUE_BYTES} bytes of JSON`);
    }
    await lock(base, async () => {
      if ((await storage.get(key)) === undefined && (await storage.list(base)).length >= MAX_ENTRIES) {
        throw new SealtrailError('too_large', 'cubbyhole_too_large', `a token's cubbyhole holds at most ${MAX_ENTRIES} paths`);
      }
      await storage.put(key, value);
      // The token may have been revoked while this write waited (revoke-accessor, its parent's
      // expiry), its cubbyhole destroyed before the write landed: nothing may outlive it. A spent
      // token is still stored: its last request, maybe running beside this one, reads what is
      // here, and its revocation after that request destroys the cubbyhole.
      if (!(await deps.isStored(req.token!))) await destroyLocked(base);
    });
    return undefined;
  }

  async function remove(req: PathRequest): Promise<undefined> {
    const base = space(req);
    const key = `${base}${keyOf(secretPath(req))}`;
    await lock(base, () => storage.delete(key));
    return undefined;
  }

  async function list(req: PathRequest): Promise<LogicalResponse> {
    const asked = req.params.path ?? '';
    const prefix = asked === '' || asked.endsWith('/') ? asked : `${asked}/`;
    // The names directly under the prefix: a path, or the first folder of a deeper one.
    const names = new Set<string>();
    for (const key of await storage.list(space(req))) {
      const path = pathOf(key);
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    return names.size === 0 ? { httpStatus: 404 } : { data: { keys: [...names].sort() } };
  }

  const backend = backendFromPaths([{
    pattern: '(?<path>.*)',
    handlers: { read, create: write, update: write, delete: remove, list },
    existenceCheck: async (req) => {
      const path = req.params.path ?? '';
      return req.token !== undefined && path !== '' && path.length <= MAX_PATH_LENGTH && (await storage.get(`${req.token.idHash}/${keyOf(path)}`)) !== undefined;
    },
  }]);

  return {
    backend,
    async destroy(idHash) {
      const base = `${idHash}/`;
      await lock(base, () => destroyLocked(base));
    },
  };
}

/** The engine's factory, handing the instance to `opened` (the server wires its `destroy` to token revocation). */
export const cubbyholeBackend = (deps: CubbyholeDeps, opened: (cubbyholes: Cubbyholes) => void): BackendFactory => ({ storage }) => {
  const cubbyholes = createCubbyholes(storage, deps);
  opened(cubbyholes);
  return cubbyholes.backend;
};
