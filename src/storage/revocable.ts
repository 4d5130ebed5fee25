/**
 * Storage handed to one set of unsealed services: closing them revokes it. A request still running
 * on closed services (a seal, or an HA node standing down, while it was in flight) then fails at
 * its next read or write instead of going through a barrier that a later unseal or activation has
 * opened again — whose audit devices never saw the request.
 */
import type { Storage } from './types.js';

export interface RevocableStorage {
  storage: Storage;
  /** From now on every call throws `refusal()`. */
  revoke(): void;
}

export function revocableStorage(inner: Storage, refusal: () => Error): RevocableStorage {
  let revoked = false;
  const open = (): Storage => {
    if (revoked) throw refusal();
    return inner;
  };
  return {
    storage: {
      get: async (key) => open().get(key),
      put: async (key, value) => open().put(key, value),
      delete: async (key) => open().delete(key),
      list: async (prefix) => open().list(prefix),
      transaction: async (ops) => open().transaction(ops),
    },
    revoke: () => { revoked = true; },
  };
}
