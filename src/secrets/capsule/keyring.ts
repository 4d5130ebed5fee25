/**
 * The domain key ring: versioned AES-256 domain keys (which wrap each capsule's data key) and one
 * tokenization key (HMAC, so tokens stay deterministic across rotations and joins still work).
 * Stored as one JSON record in the mount's storage, which the barrier already encrypts at rest.
 * Rotation appends a version and never rewrites capsules: each capsule names the key version that
 * wrapped its data key, and old versions are kept so old capsules stay loadable.
 */
import { SealtrailError } from '../../errors/index.js';
import { rfc3339 } from '../../lib/time.js';
import type { Clock } from '../../lib/clock.js';
import { createSerializer } from '../../lib/keyed-lock.js';
import { getJson, putJson, type Storage, type StorageOp } from '../../storage/index.js';
import { randomKey } from './crypto.js';

const KEYRING_KEY = 'keys/ring';

interface StoredKeyRing {
  latest: number;
  keys: Record<string, { key: string; created_time: string }>;
  tokenization_key: string;
}

export interface DomainKey {
  version: number;
  key: Buffer;
}

/** What `keys` (read) shows: versions and dates, never key material. */
export interface KeyRingInfo {
  latest_version: number;
  versions: Record<string, { created_time: string }>;
}

export interface KeyRing {
  /** Creates version 1 and the tokenization key when the ring does not exist yet. */
  ensure(): Promise<void>;
  latest(): Promise<DomainKey>;
  /** Undefined for a version this domain never had. */
  version(version: number): Promise<DomainKey | undefined>;
  tokenizationKey(): Promise<Buffer>;
  /** Adds a version; `alongside(info)` gives writes (the control record) stored in the same transaction. */
  rotate(alongside?: (info: KeyRingInfo) => StorageOp[]): Promise<KeyRingInfo>;
  info(): Promise<KeyRingInfo>;
}

export function keyRing(storage: Storage, clock: Clock): KeyRing {
  // Read-modify-write of the ring is serialized so two rotations cannot both become version n+1.
  const serialized = createSerializer();

  async function load(): Promise<StoredKeyRing> {
    const ring = await getJson<StoredKeyRing>(storage, KEYRING_KEY);
    if (!ring) throw new SealtrailError('internal', 'capsule_keyring_missing', 'capsule domain key ring is missing');
    return ring;
  }

  const toInfo = (ring: StoredKeyRing): KeyRingInfo => ({
    latest_version: ring.latest,
    versions: Object.fromEntries(Object.entries(ring.keys).map(([v, k]) => [v, { created_time: k.created_time }])),
  });

  return {
    ensure: () =>
      serialized(async () => {
        if (await getJson<StoredKeyRing>(storage, KEYRING_KEY)) return;
        const ring: StoredKeyRing = {
          latest: 1,
          keys: { '1': { key: randomKey().toString('base64'), created_time: rfc3339(clock.now()) } },
          tokenization_key: randomKey().toString('base64'),
        };
        await putJson(storage, KEYRING_KEY, ring);
      }),
    async latest() {
      const ring = await load();
      return { version: ring.latest, key: Buffer.from(ring.keys[String(ring.latest)].key, 'base64') };
    },
    async version(version) {
      const entry = (await load()).keys[String(version)];
      return entry ? { version, key: Buffer.from(entry.key, 'base64') } : undefined;
    },
    async tokenizationKey() {
      return Buffer.from((await load()).tokenization_key, 'base64');
    },
    rotate: (alongside = () => []) =>
      serialized(async () => {
        const ring = await load();
        const next = ring.latest + 1;
        const rotated: StoredKeyRing = {
          ...ring,
          latest: next,
          keys: { ...ring.keys, [String(next)]: { key: randomKey().toString('base64'), created_time: rfc3339(clock.now()) } },
        };
        const info = toInfo(rotated);
        await storage.transaction([{ op: 'put', key: KEYRING_KEY, value: Buffer.from(JSON.stringify(rotated), 'utf8') }, ...alongside(info)]);
        return info;
      }),
    info: async () => toInfo(await load()),
  };
}
