/**
 * Two nodes of a fresh HA cluster asked to initialize it at once. Each finds the shared storage
 * uninitialized; the second one's seal is held on its way to PostgreSQL (its proxy) until the
 * first has answered, the order in which it would overwrite the first one's seal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type HaNodeProcess } from '../helpers/ha-cluster.js';
import { startPostgres } from '../helpers/postgres.js';

const init = (node: HaNodeProcess) => fetch(`${node.base}/v1/sys/init`, {
  method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }), signal: AbortSignal.timeout(30_000),
});

test('two nodes initializing one HA cluster at once: one init wins and its key unseals every node; the other is told to retry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ha-init-'));
  const pg = await startPostgres();
  const nodes: HaNodeProcess[] = [];
  try {
    nodes.push(...await Promise.all(['a', 'b'].map((name) => startNode(dir, name, pg.port, '3s', false))));
    const [a, b] = nodes;
    const held = b.proxy.holdAt('INSERT INTO');
    const fromB = init(b);
    await held;
    const fromA = await init(a);
    b.proxy.release();
    const answerB = await fromB;
    const answers = [
      { node: 'a', status: fromA.status, body: await fromA.json() as { keys_base64?: string[]; errors?: string[] } },
      { node: 'b', status: answerB.status, body: await answerB.json() as { keys_base64?: string[]; errors?: string[] } },
    ];
    // Every key handed out must open the cluster: a 200 whose key opens nothing is the failure.
    for (const { node, status, body } of answers.filter((x) => x.status === 200)) {
      for (const target of nodes) {
        const res = await fetch(`${target.base}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key: body.keys_base64![0] }) });
        assert.equal(res.status, 200, `the key from ${node}'s init (${status}) on ${target.name}: ${await res.text()}`);
      }
    }
    assert.deepEqual(answers.map((x) => x.status), [503, 200]);
    assert.deepEqual(answers[0].body, { errors: ['another node holds the HA lock: the cluster is being initialized through it; retry shortly'] });
    const retry = await init(a);
    assert.deepEqual([retry.status, await retry.json()], [400, { errors: ['Vault is already initialized'] }]);
  } finally {
    for (const n of nodes) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await Promise.all(nodes.map((n) => n.proxy.close()));
    pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
