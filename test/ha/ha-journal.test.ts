/**
 * HA with the journal: three server processes on one PostgreSQL holding storage, the journal, its
 * ledger and the CloudTrail event store. The active node is killed with SIGKILL under write load;
 * a standby takes over; every acknowledged write is readable, the journal holds each acknowledged
 * request exactly once (seqs dense), and the new active node's checkpoint extends the last one the
 * killed node signed (consistency proof verified), under the same verifier key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startHaCluster, waitFor, type HaCluster, type HaNodeProcess } from '../helpers/ha-cluster.js';
import { checkpointAtLeast, consistent, type Checkpoint } from '../helpers/tlog.js';

let cluster: HaCluster;
let db: pg.Client;

before(async () => {
  cluster = await startHaCluster({ lockTtl: '3s', journal: true });
  db = new pg.Client({ connectionString: cluster.pg.url });
  await db.connect();
  const mount = await fetch(`${cluster.nodes[0].base}/v1/sys/mounts/secret`, {
    method: 'POST', headers: { 'x-vault-token': cluster.rootToken }, body: JSON.stringify({ type: 'kv', options: { version: '2' } }),
  });
  assert.equal(mount.status, 204, await mount.text());
});
after(async () => {
  await db?.end().catch(() => undefined);
  await cluster?.destroy();
});

const alive = () => cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);

async function theActive(): Promise<HaNodeProcess> {
  let found: HaNodeProcess | undefined;
  await waitFor(async () => {
    const views = await Promise.all(alive().map(async (n) => ((await (await fetch(`${n.base}/v1/sys/leader`)).json()) as { is_self: boolean }).is_self));
    const actives = alive().filter((_, i) => views[i]);
    found = actives.length === 1 ? actives[0] : undefined;
    return found !== undefined;
  }, 20_000, 'exactly one active node');
  return found!;
}

const token = () => cluster.rootToken;

async function verifierKey(node: HaNodeProcess): Promise<string> {
  const res = await fetch(`${node.base}/v1/sys/ledger/key`, { redirect: 'follow' });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { data: { verifier_key: string } }).data.verifier_key;
}

/** The active node's checkpoint once it covers at least `size` leaves. */
const checkpointOf = (node: HaNodeProcess, key: string, size: number): Promise<Checkpoint> => checkpointAtLeast(node.base, token(), key, size);

test('kill -9 of the active under load: the journal keeps every acknowledged request once and the ledger continues the same tree', { timeout: 120_000 }, async () => {
  const first = await theActive();
  const key = await verifierKey(first);
  // A device enabled through the API is kept in the shared storage: whichever node is active runs it.
  const apiLog = join(cluster.dir, 'api-audit.log');
  const enable = await fetch(`${first.base}/v1/sys/audit/api`, {
    method: 'PUT', headers: { 'x-vault-token': token() }, body: JSON.stringify({ type: 'file', options: { file_path: apiLog } }),
  });
  assert.equal(enable.status, 204, await enable.text());
  const survivor = alive().find((n) => n !== first)!;

  const acknowledged: string[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; i < 3000 && !stop; i++) {
      const path = `secret/data/load-${w}-${i}`;
      // Through a standby: it redirects (307) to whichever node is active.
      const res = await fetch(`${survivor.base}/v1/${path}`, {
        method: 'PUT', redirect: 'follow', headers: { 'x-vault-token': token(), 'content-type': 'application/json' },
        body: JSON.stringify({ data: { v: i } }), signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      if (res?.status === 200) acknowledged.push(path);
      else await new Promise((r) => setTimeout(r, 50));
    }
  };
  const writers = Array.from({ length: 4 }, (_, w) => writer(w));
  await waitFor(async () => acknowledged.length >= 100, 30_000, 'writes before the kill');
  const before = await checkpointOf(first, key, 1);

  first.process.kill('SIGKILL');
  await first.exited;
  const countAtKill = acknowledged.length;
  const second = await theActive();
  assert.notEqual(second, first);
  await waitFor(async () => acknowledged.length >= countAtKill + 50, 30_000, 'writes after the failover');
  stop = true;
  await Promise.all(writers);

  // The journal: each acknowledged write's response recorded exactly once; seqs dense from 0.
  const rows = (await db.query<{ path: string }>(
    "SELECT path FROM records WHERE kind = 'vault-response' AND operation IN ('create', 'update') AND path LIKE 'secret/data/load-%'",
  )).rows;
  const times = new Map<string, number>();
  for (const { path } of rows) times.set(path, (times.get(path) ?? 0) + 1);
  assert.deepEqual(acknowledged.filter((p) => times.get(p) !== 1).map((p) => `${p}: ${times.get(p) ?? 0}`), [], 'each acknowledged request journaled once');
  const seqs = (await db.query<{ seq: string }>('SELECT seq FROM records ORDER BY seq')).rows.map((r) => Number(r.seq));
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'seqs dense from 0');

  // The API-enabled device followed the failover: listed by the new active, and writing its entries.
  const devices = await (await fetch(`${second.base}/v1/sys/audit`, { headers: { 'x-vault-token': token() } })).json() as Record<string, { type: string }>;
  assert.equal(devices['api/']?.type, 'file');
  const lastPath = acknowledged.at(-1)!;
  assert.ok(existsSync(apiLog) && readFileSync(apiLog, 'utf8').includes(`"path":"${lastPath}"`), 'the new active wrote to the API-enabled device');

  // The ledger: the same key, and the new active's checkpoint extends the killed node's last one.
  assert.equal(await verifierKey(second), key, 'one verifier key across the failover');
  const total = seqs.length;
  const after = await checkpointOf(second, key, total);
  assert.ok(after.size >= before.size);
  const res = await fetch(`${second.base}/v1/sys/ledger/proof/consistency?from=${before.size}&to=${after.size}`, { headers: { 'x-vault-token': token() } });
  assert.equal(res.status, 200, await res.clone().text());
  const proof = ((await res.json()) as { data: { hashes: string[] } }).data.hashes.map((h) => Buffer.from(h, 'base64'));
  assert.equal(consistent(before.size, after.size, proof, before.root, after.root), true, 'the checkpoint after the failover extends the one before');

  // No node raised a ledger alarm: a standby leaves the ledger alone, and the node taking over
  // judges its checkpoint against the log as it is, not as it stood by.
  const alarms = (await db.query<{ text: string }>(
    "SELECT text FROM records WHERE kind = 'server' AND (text LIKE '%ledger_failing%' OR text LIKE '%ledger_diverged%' OR text LIKE '%ledger_moved%' OR text LIKE '%ledger_file_missing%')",
  )).rows.map((r) => r.text);
  assert.deepEqual(alarms, [], 'no ledger alarm');

  // Every acknowledged write is readable through the new active node.
  for (const path of acknowledged) {
    const res = await fetch(`${second.base}/v1/${path}`, { headers: { 'x-vault-token': token() } });
    assert.equal(res.status, 200, `acknowledged write ${path}`);
  }
});
