/**
 * The entities attestation logins have created: one record per entity id (entity/<id>, in the
 * mount's storage), written by the entity's first login. The id itself is derived (identity.ts),
 * so the record is what tells a first login from a later one: Vault's `auth.entity_created` in the
 * login's audit entry. Logins of one entity are serialized, so exactly one of two concurrent first
 * logins creates it; the map holds only ids with a login in flight (lib/keyed-lock.ts).
 */
import { keyedLock } from '../../lib/keyed-lock.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';

export interface EntityStore {
  /** Records the entity unless known; true when this call created it. */
  register(entityId: string, nowMs: number): Promise<boolean>;
}

interface EntityRecord {
  id: string;
  /** ms since epoch of the first login. */
  createdAt: number;
}

export function createEntityStore(storage: Storage): EntityStore {
  const lock = keyedLock();
  return {
    register: (entityId, nowMs) => lock(entityId, async () => {
      const key = `entity/${entityId}`;
      if ((await getJson<EntityRecord>(storage, key)) !== undefined) return false;
      const record: EntityRecord = { id: entityId, createdAt: nowMs };
      await putJson(storage, key, record);
      return true;
    }),
  };
}
