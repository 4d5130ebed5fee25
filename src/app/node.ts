/**
 * The storage a server runs on, and — with `ha_enabled` — the HA node that decides whether this
 * server is the active one. SQLite and PostgreSQL sit behind the read cache; with HA the cache is
 * used only while the node is active, and starts empty each time: other nodes write meanwhile.
 */
import { randomUUID } from 'node:crypto';
import type { ServerConfig } from '../config/index.js';
import { createHaNode, haTiming, type HaNode } from '../ha/index.js';
import {
  cachedStorage, createMemoryStorage, createPostgresHaBackend, createPostgresStorage, createSqliteStorage, redactUrl,
  type PhysicalStorage, type SealManager,
} from '../storage/index.js';
import type { ServerLogger } from '../server/index.js';

export interface NodeStorage {
  physical: PhysicalStorage;
  /** Turns the read cache on (emptied) or off: with HA it is on only while the node is active. */
  caching(on: boolean): void;
  /** What the banner shows: never a password. */
  describe: string;
  ha?: { nodeId: string; backend: ReturnType<typeof createPostgresHaBackend> };
}

export async function openNodeStorage(config: ServerConfig): Promise<NodeStorage> {
  const s = config.storage;
  if (s.type === 'sqlite') {
    const physical = cachedStorage(createSqliteStorage({ path: s.path }));
    return { physical, caching: (on) => physical.setEnabled(on), describe: `sqlite (${s.path})` };
  }
  if (s.type === 'postgresql') {
    const nodeId = randomUUID();
    const pg = await createPostgresStorage({
      connectionUrl: s.connectionUrl, table: s.table, maxParallel: s.maxParallel, ha: s.haEnabled,
      fenceNodeId: s.haEnabled ? () => nodeId : undefined,
    });
    const physical = cachedStorage(pg);
    const describe = `postgresql (${redactUrl(s.connectionUrl)}, table ${s.table})${s.haEnabled ? `, HA node ${nodeId}` : ''}`;
    const caching = (on: boolean) => physical.setEnabled(on);
    if (!s.haEnabled) return { physical, caching, describe };
    caching(false);
    const backend = createPostgresHaBackend({ connectionUrl: s.connectionUrl, queryTimeoutMs: haTiming(s.haLockTtlMs).queryTimeoutMs });
    return { physical, caching, describe, ha: { nodeId, backend } };
  }
  return { physical: createMemoryStorage(), caching: () => undefined, describe: 'inmem' };
}

/** The HA node over a core: becoming active rebuilds the services from storage, as an unseal does. */
export function haNodeFor(
  config: ServerConfig,
  storage: NodeStorage,
  deps: { seal: SealManager; log: ServerLogger; buildServices: () => Promise<void>; tearDown: () => Promise<void>; now: () => number },
): HaNode | undefined {
  if (!storage.ha || config.storage.type !== 'postgresql') return undefined;
  return createHaNode({
    nodeId: storage.ha.nodeId,
    apiAddr: config.apiAddr!,
    backend: storage.ha.backend,
    timing: haTiming(config.storage.haLockTtlMs),
    log: deps.log.child({ module: 'ha' }),
    now: deps.now,
    core: {
      isSealed: () => deps.seal.isSealed(),
      activate: async () => {
        storage.caching(true);
        // Another node may have rotated the keyring while this one stood by.
        await deps.seal.reloadKeyring();
        await deps.buildServices();
      },
      deactivate: async () => {
        await deps.tearDown();
        storage.caching(false);
      },
    },
  });
}
