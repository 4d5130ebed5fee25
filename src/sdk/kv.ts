/**
 * KV version 2 at one mount. Paths are relative to the mount (`kv("secret").get("app/db")` reads
 * `secret/data/app/db`). Reads of a missing secret resolve to undefined rather than throwing; a
 * deleted or destroyed version resolves with `data: null` and its metadata, as Vault answers.
 */
import { asEnvelope, dataOf } from './envelope.js';
import { SealtrailNetworkError } from './errors.js';
import { joinPath } from './path.js';
import { listOrUndefined, readOrUndefined } from './read.js';
import type { Transport } from './transport.js';
import type { KvMetadata, KvMetadataInput, KvSecretData, KvVersionMetadata, VaultResponse } from './types.js';

export interface KvV2Api {
  readonly mount: string;
  get<T = Record<string, unknown>>(path: string, options?: { version?: number }): Promise<VaultResponse<KvSecretData<T>> | undefined>;
  /** `cas: 0` writes only if the secret does not exist; `cas: n` only if the current version is n. */
  put(path: string, data: Record<string, unknown>, options?: { cas?: number }): Promise<VaultResponse<KvVersionMetadata>>;
  /**
   * Merges `data` into the current version (JSON merge patch: `null` removes a key) and writes the
   * result as a new version. Needs the `patch` capability; the secret must exist.
   */
  patch(path: string, data: Record<string, unknown>, options?: { cas?: number }): Promise<VaultResponse<KvVersionMetadata>>;
  /** Soft-deletes the latest version, or the given versions. */
  delete(path: string, versions?: number[]): Promise<void>;
  undelete(path: string, versions: number[]): Promise<void>;
  destroy(path: string, versions: number[]): Promise<void>;
  /** Keys under a folder (folders end in `/`); empty when there is nothing there. */
  list(path?: string): Promise<string[]>;
  metadata: {
    get(path: string): Promise<VaultResponse<KvMetadata> | undefined>;
    put(path: string, input: KvMetadataInput): Promise<void>;
    /** Deletes every version and the metadata. */
    delete(path: string): Promise<void>;
  };
}

export function createKvV2Api(t: Transport, mount: string): KvV2Api {
  const m = mount.replace(/^\/+|\/+$/g, '');
  const at = (section: string, path: string) => joinPath(m, section, path);
  const writeVersion = async (method: 'POST' | 'PATCH', path: string, data: Record<string, unknown>, cas?: number) => {
    const body = cas !== undefined ? { data, options: { cas } } : { data };
    const envelope = asEnvelope<KvVersionMetadata>(await t.call(method, at('data', path), { body }));
    if (!envelope) throw new SealtrailNetworkError(method, at('data', path), 'the server answered with no body');
    return envelope;
  };

  return {
    mount: m,
    get: (path, options = {}) => readOrUndefined(t, at('data', path), { version: options.version }),
    put: (path, data, options = {}) => writeVersion('POST', path, data, options.cas),
    patch: (path, data, options = {}) => writeVersion('PATCH', path, data, options.cas),
    delete: async (path, versions) => {
      if (versions === undefined) await t.call('DELETE', at('data', path));
      else await t.call('POST', at('delete', path), { body: { versions } });
    },
    undelete: async (path, versions) => void (await t.call('POST', at('undelete', path), { body: { versions } })),
    destroy: async (path, versions) => void (await t.call('POST', at('destroy', path), { body: { versions } })),
    list: async (path = '') => {
      const envelope = await listOrUndefined<{ keys?: string[] }>(t, at('metadata', path));
      return envelope ? dataOf<{ keys?: string[] }>(envelope).keys ?? [] : [];
    },
    metadata: {
      get: (path) => readOrUndefined(t, at('metadata', path)),
      put: async (path, input) => void (await t.call('POST', at('metadata', path), { body: input })),
      delete: async (path) => void (await t.call('DELETE', at('metadata', path))),
    },
  };
}
