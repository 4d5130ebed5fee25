/**
 * The digest signing keys: RSA-2048, generated on first use and kept in the storage the caller
 * gives (a view inside the barrier, so the private key is encrypted at rest). Kept as a list so a
 * rotation can add a key while older digests stay verifiable; the last key signs.
 */
import type { Clock } from '../../lib/clock.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { generateRsaSigningKey, publicKeyFingerprint, signHex } from './crypto.js';

export interface SigningKeyRecord {
  privateKeyPem: string;
  /** base64 DER PKCS#1 */
  publicKeyDer: string;
  fingerprint: string;
  /** ms since epoch */
  validFrom: number;
  /** ms since epoch; absent while the key is the active one */
  validUntil?: number;
}

/** ListPublicKeys' PublicKey shape (times in epoch seconds). */
export interface PublicKeyInfo {
  Value: string;
  ValidityStartTime: number;
  ValidityEndTime: number;
  Fingerprint: string;
}

export interface SigningKeys {
  /** The active key's fingerprint and a signer; creates the key on first call. */
  active(): Promise<{ fingerprint: string; sign(data: string): string }>;
  /** Keys valid at some point in [startMs, endMs]; the active key's validity ends now. */
  publicKeys(startMs?: number, endMs?: number): Promise<PublicKeyInfo[]>;
}

const KEYS = 'digest-signing-keys';

export function createSigningKeys(deps: { storage: Storage; clock: Clock }): SigningKeys {
  let loaded: SigningKeyRecord[] | undefined;
  let creating: Promise<SigningKeyRecord[]> | undefined;

  const load = async (): Promise<SigningKeyRecord[]> => {
    if (loaded) return loaded;
    creating ??= (async () => {
      const stored = (await getJson<SigningKeyRecord[]>(deps.storage, KEYS)) ?? [];
      if (stored.length === 0) {
        const fresh = generateRsaSigningKey();
        stored.push({ privateKeyPem: fresh.privateKeyPem, publicKeyDer: fresh.publicKeyDer.toString('base64'), fingerprint: publicKeyFingerprint(fresh.publicKeyDer), validFrom: deps.clock.now() });
        await putJson(deps.storage, KEYS, stored);
      }
      loaded = stored;
      return stored;
    })();
    return creating;
  };

  return {
    async active() {
      const key = (await load()).at(-1)!;
      return { fingerprint: key.fingerprint, sign: (data) => signHex(key.privateKeyPem, data) };
    },
    async publicKeys(startMs, endMs) {
      const keys = await load();
      // After the load, which may create the first key: a key is never valid until before it began.
      const now = deps.clock.now();
      return keys
        .filter((k) => (endMs === undefined || k.validFrom <= endMs) && (startMs === undefined || (k.validUntil ?? now) >= startMs))
        .map((k) => ({
          Value: k.publicKeyDer,
          ValidityStartTime: Math.floor(k.validFrom / 1000),
          ValidityEndTime: Math.floor((k.validUntil ?? now) / 1000),
          Fingerprint: k.fingerprint,
        }));
    },
  };
}
