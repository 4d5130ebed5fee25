/**
 * The seal's protected records in physical storage: the root key encrypted under the unseal key
 * (`core/root-key`) and the keyring encrypted under the root key (`core/keyring`). Both use the
 * barrier's cipher and format with term 0 ("not a keyring term") and their own storage key as
 * additional data.
 */
import { SealtrailError } from '../../errors/index.js';
import type { Storage, StorageOp } from '../types.js';
import { importKey, openValue, sealValue } from './aead.js';
import { Keyring } from './keyring.js';

export const ROOT_KEY_KEY = 'core/root-key';
export const KEYRING_KEY = 'core/keyring';
const RECORD_TERM = 0;
const ROOT_KEY_AAD = Buffer.from(ROOT_KEY_KEY, 'utf8');
const KEYRING_AAD = Buffer.from(KEYRING_KEY, 'utf8');

/** The storage op that saves the root key under the unseal key. */
export function rootKeyRecord(unsealKey: Uint8Array, rootKey: Uint8Array): StorageOp {
  return { op: 'put', key: ROOT_KEY_KEY, value: sealValue(importKey(unsealKey), RECORD_TERM, rootKey, ROOT_KEY_AAD) };
}

/** The storage op that saves the keyring under the root key. */
export function keyringRecord(rootKey: Uint8Array, ring: Keyring): StorageOp {
  const plain = ring.serialize();
  try {
    return { op: 'put', key: KEYRING_KEY, value: sealValue(importKey(rootKey), RECORD_TERM, plain, KEYRING_AAD) };
  } finally {
    plain.fill(0);
  }
}

/** Vault's wording: the unseal key (or the combined shares) did not decrypt the root key. */
export function unsealFailed(): SealtrailError {
  return new SealtrailError('invalid', 'unseal_failed', 'failed to decrypt keys from storage: cipher: message authentication failed');
}

/**
 * Opens the root key with `unsealKey`, then the keyring with the root key. A wrong unseal key is
 * `unseal_failed`; a root key that opens but a keyring that does not is storage corruption.
 */
export async function openSealRecords(physical: Storage, unsealKey: Uint8Array): Promise<{ rootKey: Uint8Array; ring: Keyring }> {
  if (unsealKey.length !== 32) throw unsealFailed();
  const [sealedRoot, sealedRing] = await Promise.all([physical.get(ROOT_KEY_KEY), physical.get(KEYRING_KEY)]);
  if (sealedRoot === undefined || sealedRing === undefined) {
    throw new SealtrailError('internal', 'seal_records_missing', 'seal records are missing from storage');
  }
  const root = openValue(importKey(unsealKey), sealedRoot, ROOT_KEY_AAD);
  if (!root.ok) throw unsealFailed();
  const rootKey = new Uint8Array(root.plaintext);
  root.plaintext.fill(0);
  try {
    return { rootKey, ring: openKeyring(rootKey, sealedRing) };
  } catch (err) {
    rootKey.fill(0);
    throw err;
  }
}

/** Whether `unsealKey` opens the stored root key record (a rekey's proof that its shares are the current ones). */
export function opensRootKey(sealedRoot: Uint8Array | undefined, unsealKey: Uint8Array): boolean {
  if (sealedRoot === undefined) throw new SealtrailError('internal', 'seal_records_missing', 'seal records are missing from storage');
  if (unsealKey.length !== 32) return false;
  const root = openValue(importKey(unsealKey), sealedRoot, ROOT_KEY_AAD);
  if (root.ok) root.plaintext.fill(0);
  return root.ok;
}

/** Reads the keyring again with the root key (an HA node becoming active: another node may have rotated it). */
export async function readKeyring(physical: Storage, rootKey: Uint8Array): Promise<Keyring> {
  const sealedRing = await physical.get(KEYRING_KEY);
  if (sealedRing === undefined) throw new SealtrailError('internal', 'seal_records_missing', 'seal records are missing from storage');
  return openKeyring(rootKey, sealedRing);
}

function openKeyring(rootKey: Uint8Array, sealedRing: Uint8Array): Keyring {
  const ring = openValue(importKey(rootKey), sealedRing, KEYRING_AAD);
  if (!ring.ok) throw new SealtrailError('internal', 'keyring_decrypt_failed', 'failed to decrypt the keyring with the root key (storage corrupt)');
  try {
    return Keyring.deserialize(ring.plaintext);
  } catch (cause) {
    throw new SealtrailError('internal', 'keyring_corrupt', 'stored keyring is unreadable', { cause });
  } finally {
    ring.plaintext.fill(0);
  }
}
