/**
 * The cluster's id, made once and kept: clients and monitoring key on `cluster_id` (seal status,
 * health), so it must not change when the server restarts. Plaintext at `core/cluster-id` in
 * physical storage, beside the seal configuration: it identifies, it protects nothing.
 */
import type { PhysicalStorage } from './types.js';

export const CLUSTER_ID_KEY = 'core/cluster-id';

/**
 * The stored id, or, when there is none yet, `fresh()` stored as the id — unless a node starting at
 * the same time stored its own first, which is then the id of both.
 */
export async function persistentClusterId(physical: Pick<PhysicalStorage, 'get' | 'putIfAbsent'>, fresh: () => string): Promise<string> {
  const stored = (await physical.get(CLUSTER_ID_KEY)) ?? (await physical.putIfAbsent(CLUSTER_ID_KEY, Buffer.from(fresh(), 'utf8')));
  return Buffer.from(stored).toString('utf8');
}
