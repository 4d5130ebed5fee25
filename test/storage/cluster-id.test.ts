/**
 * The cluster id is made once: nodes starting at once on a new database each find no id, and must
 * still all keep the same one (the one stored), whatever backend they share.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedStorage, createMemoryStorage, createPostgresStorage, createSqliteStorage, persistentClusterId, type PhysicalStorage } from '../../src/storage/index.js';
import { CLUSTER_ID_KEY } from '../../src/storage/cluster-id.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';

let pg: PostgresCluster;
const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cluster-id-'));
before(async () => { pg = await startPostgres(); });
after(() => {
  pg?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

let made = 0;
const fresh = () => `id-${made++}`;

/** Rounds of `nodes` starting at once on a store without an id: every node answers the stored id. */
async function startAtOnce(nodes: PhysicalStorage[]): Promise<void> {
  try {
    for (let round = 0; round < 10; round++) {
      for (const node of nodes) await node.delete(CLUSTER_ID_KEY); // each node's read cache too
      const ids = await Promise.all(nodes.map((node) => persistentClusterId(node, fresh)));
      const stored = Buffer.from((await nodes[0].get(CLUSTER_ID_KEY))!).toString('utf8');
      assert.deepEqual(ids, nodes.map(() => stored), `round ${round}`);
    }
    // Once stored, the id is kept.
    assert.deepEqual(await Promise.all(nodes.map((node) => persistentClusterId(node, fresh))), await Promise.all(nodes.map((node) => persistentClusterId(node, fresh))));
  } finally {
    for (const node of nodes) await node.close();
  }
}

test('memory: concurrent starts keep one cluster id', async () => {
  const memory = createMemoryStorage();
  await startAtOnce([memory, cachedStorage(memory)]);
});

test('SQLite: two servers opening one new database at once keep one cluster id', async () => {
  const path = join(dir, 'sealtrail.db');
  await startAtOnce([cachedStorage(createSqliteStorage({ path })), cachedStorage(createSqliteStorage({ path }))]);
});

test('PostgreSQL: HA nodes starting at once on a new database keep one cluster id', async () => {
  const url = pg.createDatabase('cluster_id');
  const node = (id: string) => createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => id });
  await startAtOnce([cachedStorage(await node('a')), cachedStorage(await node('b')), cachedStorage(await node('c'))]);
});
