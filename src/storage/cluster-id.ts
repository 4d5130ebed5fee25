/**
 * The cluster's id, made once and kept: clients and monitoring key on `cluster_id` (seal status,
 * health), so it must not change when the server restarts. Plaintext at `core/cluster-id` in
 * physical storage, beside the seal configuration: it identifies, it protects nothing.
 */
import type { Storage } from './types.js';

export const CLUSTER_ID_KEY = 'core/cluster-id';

/** The stored id, or `fresh()` stored as the id when there is none yet. */
export async function persistentClusterId(physical: Storage, fresh: () => string): Promise<string> {
  const stored = await physical.get(CLUSTER_ID_KEY);
  if (stored !== undefined) return Buffer.from(stored).toString('utf8');
  const id = fresh();
  await physical.put(CLUSTER_ID_KEY, Buffer.from(id, 'utf8'));
  return id;
}
