/**
 * The encryption barrier: a Storage that encrypts every value (AES-256-GCM under the keyring's
 * active term) before it reaches physical storage, and decrypts on the way back. Keys stay
 * plaintext, as in Vault, and each value is bound to its key. `core/` belongs to the seal and is
 * out of the barrier's reach.
 */
import { SealtrailError, invalid, sealed, type ErrorCode } from '../../errors/index.js';
import type { Storage, StorageOp } from '../types.js';
import { openValue, sealValue, termOf, type OpenFailure } from './aead.js';
import type { Keyring } from './keyring.js';

/** Physical prefix reserved for the seal's own records (keyring, root key, seal config). */
export const SEAL_PREFIX = 'core/';

export interface BarrierDeps {
  physical: Storage;
  /** The unsealed keyring, or undefined while sealed. */
  keyring: () => Keyring | undefined;
  /** Told of every value sealed, with its term (the key usage count, key-usage.ts). */
  sealedUnder?: (term: number) => void;
}

export function createBarrier({ physical, keyring, sealedUnder }: BarrierDeps): Storage {
  const unsealedKeyring = (): Keyring => {
    const ring = keyring();
    if (ring === undefined) throw sealed();
    return ring;
  };

  const encrypt = (ring: Keyring, key: string, value: Uint8Array): Uint8Array => {
    if (!(value instanceof Uint8Array)) throw invalid('storage value must be bytes (Uint8Array)', 'invalid_storage_value');
    const active = ring.activeEntry();
    const sealedValue = sealValue(active.key, active.term, value, aadFor(key));
    sealedUnder?.(active.term);
    return sealedValue;
  };

  return {
    async get(key) {
      checkKey(key);
      unsealedKeyring();
      const stored = await physical.get(key);
      // Re-read the keyring: the server may have been sealed while the read was in flight.
      const ring = unsealedKeyring();
      if (stored === undefined) return undefined;
      const term = termOf(stored);
      const termKey = term === undefined ? undefined : ring.keyFor(term);
      if (termKey === undefined) throw decryptError(key, term === undefined ? 'format' : 'term');
      const opened = openValue(termKey, stored, aadFor(key));
      if (!opened.ok) throw decryptError(key, opened.reason);
      return opened.plaintext;
    },
    async put(key, value) {
      checkKey(key);
      await physical.put(key, encrypt(unsealedKeyring(), key, value));
    },
    async delete(key) {
      checkKey(key);
      unsealedKeyring();
      await physical.delete(key);
    },
    async list(prefix) {
      if (typeof prefix !== 'string') throw invalid('storage list prefix must be a string', 'invalid_storage_key');
      if (prefix.startsWith(SEAL_PREFIX)) throw reservedKey();
      unsealedKeyring();
      const children = await physical.list(prefix);
      unsealedKeyring();
      // The seal's own folder is not part of the barrier's view.
      return prefix === '' ? children.filter((c) => c !== SEAL_PREFIX) : children;
    },
    async transaction(ops) {
      const ring = unsealedKeyring();
      const encrypted: StorageOp[] = ops.map((op) => {
        checkKey(op.key);
        return op.op === 'put' ? { op: 'put', key: op.key, value: encrypt(ring, op.key, op.value) } : op;
      });
      await physical.transaction(encrypted);
    },
  };
}

function aadFor(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw invalid('storage key must be a non-empty string', 'invalid_storage_key');
  if (key.startsWith(SEAL_PREFIX)) throw reservedKey();
}

function reservedKey(): SealtrailError {
  return invalid(`storage keys under "${SEAL_PREFIX}" are reserved for the seal`, 'reserved_storage_key');
}

/** A stored value that cannot be opened is corruption or tampering: an internal error, not a crash. */
function decryptError(key: string, reason: OpenFailure | 'term'): SealtrailError {
  const why: Record<OpenFailure | 'term', [ErrorCode, string]> = {
    format: ['barrier_bad_format', 'is not in a barrier format this server can read'],
    version: ['barrier_bad_format', 'has an unsupported barrier format version'],
    term: ['barrier_unknown_term', 'was encrypted under a key term missing from the keyring'],
    auth: ['barrier_decrypt_failed', 'failed authentication (tampered, corrupted or moved from another key)'],
  };
  const [code, text] = why[reason];
  return new SealtrailError('internal', code, `barrier: stored value at ${JSON.stringify(key)} ${text}`);
}
