/**
 * HA end to end: three server processes on one PostgreSQL (lock TTL 3 s: renewals every 1 s, a
 * node serves at most 2 s after its last renewal, standbys try every 300 ms).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startHaCluster, waitFor, type HaCluster, type HaNodeProcess } from '../helpers/ha-cluster.js';

const TTL_MS = 3000;
let cluster: HaCluster;
before(async () => {
  cluster = await startHaCluster({ lockTtl: '3s' });
  const mount = await fetch(`${cluster.nodes[0].base}/v1/sys/mounts/secret`, {
    method: 'POST', headers: { 'x-vault-token': cluster.rootToken }, body: JSON.stringify({ type: 'kv', options: { version: '2' } }),
  });
  assert.equal(mount.status, 204, await mount.text());
});
after(() => cluster?.destroy());

const alive = () => cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);

async function leaderOf(node: HaNodeProcess): Promise<{ is_self: boolean; leader_address: string; ha_enabled: boolean }> {
  const res = await fetch(`${node.base}/v1/sys/leader`);
  return res.json() as Promise<{ is_self: boolean; leader_address: string; ha_enabled: boolean }>;
}

/** The one node whose sys/leader says is_self, once every live node agrees on its address. */
async function theActive(ms = 15_000): Promise<HaNodeProcess> {
  let found: HaNodeProcess | undefined;
  await waitFor(async () => {
    const nodes = alive();
    const views = await Promise.all(nodes.map(leaderOf));
    const actives = nodes.filter((_, i) => views[i].is_self);
    if (actives.length !== 1) return false;
    found = actives[0];
    return views.every((v) => v.leader_address === found!.base);
  }, ms, 'exactly one active node that every node names');
  return found!;
}

async function writeKv(base: string, key: string, value: string, redirect: RequestRedirect = 'follow'): Promise<Response> {
  return fetch(`${base}/v1/secret/data/${key}`, {
    method: 'PUT', redirect, headers: { 'x-vault-token': cluster.rootToken, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { value } }), signal: AbortSignal.timeout(5000),
  });
}

async function readKv(base: string, key: string): Promise<string | undefined> {
  const res = await fetch(`${base}/v1/secret/data/${key}`, { headers: { 'x-vault-token': cluster.rootToken }, signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, `read ${key}: ${res.status}`);
  return ((await res.json()) as { data: { data: { value: string } } }).data.data.value;
}

test('exactly one node is active; standbys name it, answer health with 429 (200 with standbyok) and redirect the rest', async () => {
  const active = await theActive();
  const standbys = alive().filter((n) => n !== active);
  assert.equal(standbys.length, 2);
  assert.equal((await fetch(`${active.base}/v1/sys/health`)).status, 200);
  for (const s of standbys) {
    const leader = await leaderOf(s);
    assert.deepEqual([leader.ha_enabled, leader.is_self, leader.leader_address], [true, false, active.base]);
    const health = await fetch(`${s.base}/v1/sys/health`);
    assert.equal(health.status, 429);
    assert.equal(((await health.json()) as { standby: boolean }).standby, true);
    assert.equal((await fetch(`${s.base}/v1/sys/health?standbyok=true`)).status, 200);
    assert.equal((await fetch(`${s.base}/v1/sys/seal-status`)).status, 200);
    // Everything else: 307 to the active's api_addr, same path and query, whatever Host says.
    const res = await fetch(`${s.base}/v1/secret/data/x?version=1`, { redirect: 'manual', headers: { host: 'evil.example' } });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get('location'), `${active.base}/v1/secret/data/x?version=1`);
    // An AWS call is refused in AWS's shape: the SDKs follow no redirect, and retry a 503.
    const aws = await fetch(`${s.base}/`, { method: 'POST', redirect: 'manual', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    assert.equal(aws.status, 503);
    assert.equal(aws.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.deepEqual(await aws.json(), { __type: 'ServiceUnavailableException', message: `this node is a standby: send AWS calls to the active node (${active.base})` });
  }
  // ha-status (audited, on the active; a standby redirects it there) lists the three nodes.
  const status = await fetch(`${standbys[0].base}/v1/sys/ha-status`, { headers: { 'x-vault-token': cluster.rootToken } });
  assert.equal(status.status, 200);
  const nodes = ((await status.json()) as { data: { nodes: Array<{ api_address: string; active_node: boolean }> } }).data.nodes;
  assert.deepEqual(nodes.map((n) => n.api_address).sort(), cluster.nodes.map((n) => n.base).sort());
  assert.deepEqual(nodes.filter((n) => n.active_node).map((n) => n.api_address), [active.base]);
  // Without a token, ha-status is refused like any sys/ path.
  assert.equal((await fetch(`${active.base}/v1/sys/ha-status`)).status, 403);
});

test('sys/seal sent to a standby is refused there, as in Vault, and seals no node', async () => {
  const active = await theActive();
  const standby = alive().find((n) => n !== active)!;
  // Followed to the active, the request would seal the node the operator did not name.
  for (const token of [cluster.rootToken, undefined]) {
    const res = await fetch(`${standby.base}/v1/sys/seal`, { method: 'PUT', headers: token ? { 'x-vault-token': token } : {} });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { errors: ['this node is a standby: only the active node can be sealed; restart a standby to take it out'] });
  }
  assert.equal((await fetch(`${standby.base}/v1/sys/seal`, { headers: { 'x-vault-token': cluster.rootToken } })).status, 405);
  for (const node of alive()) {
    assert.equal(((await (await fetch(`${node.base}/v1/sys/seal-status`)).json()) as { sealed: boolean }).sealed, false, node.name);
  }
  assert.equal(await theActive(), active);
});

test('writes through any node land on the active and are readable through every node; only the active audits', async () => {
  const active = await theActive();
  for (const [i, node] of alive().entries()) {
    const res = await writeKv(node.base, `through-${i}`, `v${i}`);
    assert.equal(res.status, 200, `write through ${node.name}`);
  }
  // The standbys built no services: their audit devices never opened, so their files do not exist.
  const audited = readFileSync(active.auditLog, 'utf8');
  for (let i = 0; i < 3; i++) assert.match(audited, new RegExp(`secret/data/through-${i}`));
  for (const s of alive().filter((n) => n !== active)) assert.equal(existsSync(s.auditLog), false, `${s.name} opened its audit device`);
  for (const node of alive()) {
    for (let i = 0; i < 3; i++) assert.equal(await readKv(node.base, `through-${i}`), `v${i}`);
  }
});

test('sys/step-down needs sudo, then moves leadership to another node, which reads the rotated keyring', async () => {
  const active = await theActive();
  // A keyring rotated on the active: the next active must read the new keyring, not the one it unsealed with.
  const rotate = await fetch(`${active.base}/v1/sys/rotate`, { method: 'PUT', headers: { 'x-vault-token': cluster.rootToken } });
  assert.equal(rotate.status, 204);
  assert.equal((await writeKv(active.base, 'after-rotate', 'new-term')).status, 200);
  const noToken = await fetch(`${active.base}/v1/sys/step-down`, { method: 'PUT' });
  assert.equal(noToken.status, 403);
  const res = await fetch(`${active.base}/v1/sys/step-down`, { method: 'PUT', headers: { 'x-vault-token': cluster.rootToken } });
  assert.equal(res.status, 204);
  let next: HaNodeProcess | undefined;
  await waitFor(async () => {
    next = await theActive(1000).catch(() => undefined);
    return next !== undefined && next !== active;
  }, 10_000, 'another node to become active');
  assert.equal(await readKv(next!.base, 'through-0'), 'v0');
  assert.equal(await readKv(next!.base, 'after-rotate'), 'new-term');
  assert.equal((await writeKv(active.base, 'after-step-down', 'yes')).status, 200);
  assert.equal(await readKv(next!.base, 'after-step-down'), 'yes');
});

test('kill -9 of the active under write load: a standby takes over within the lock TTL and every acknowledged write is there', async () => {
  const active = await theActive();
  const survivor = alive().find((n) => n !== active)!;
  const acked: string[] = [];
  let stop = false;
  let killedAt = 0;
  let firstAfterKill = 0;
  const writer = (async () => {
    for (let i = 0; i < 2000 && !stop; i++) {
      const key = `load-${i}`;
      const res = await writeKv(survivor.base, key, key).catch(() => undefined);
      if (res?.status === 200) {
        acked.push(key);
        if (killedAt > 0 && firstAfterKill === 0) firstAfterKill = Date.now();
      } else {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  await waitFor(async () => acked.length >= 20, 10_000, 'writes before the kill');
  active.process.kill('SIGKILL');
  killedAt = Date.now();
  await active.exited;
  await waitFor(async () => firstAfterKill > 0, 15_000, 'a write after the kill');
  stop = true;
  await writer;
  const failoverMs = firstAfterKill - killedAt;
  assert.ok(failoverMs < TTL_MS + 2000, `failover took ${failoverMs} ms`);
  const now = await theActive();
  assert.notEqual(now, active);
  for (const key of acked) assert.equal(await readKv(now.base, key), key, `acknowledged write ${key}`);
});

test('an active cut off from PostgreSQL stops answering writes before another node takes over', async () => {
  const old = await theActive();
  const other = alive().find((n) => n !== old)!;
  const oldWrites: number[] = [];
  const newWrites: number[] = [];
  let oldRefusedWith503 = false;
  let stop = false;
  const hammer = async (node: HaNodeProcess, into: number[], tag: string) => {
    for (let i = 0; i < 3000 && !stop; i++) {
      // No redirect following: a 200 here means this node itself answered the write.
      const res = await writeKv(node.base, `${tag}-${i}`, 'x', 'manual').catch(() => undefined);
      if (res?.status === 200) into.push(Date.now());
      if (node === old && res?.status === 503) oldRefusedWith503 = true;
      if (res?.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const load = Promise.all([hammer(old, oldWrites, 'old'), hammer(other, newWrites, 'new')]);
  await waitFor(async () => oldWrites.length >= 5, 10_000, 'writes on the active before the cut');
  const cutAt = Date.now();
  old.proxy.cut();
  await waitFor(async () => newWrites.length > 0, 15_000, 'the other node to take writes');
  await new Promise((r) => setTimeout(r, 1500)); // the old node keeps being asked meanwhile
  stop = true;
  await load;
  const lastOld = Math.max(...oldWrites);
  const firstNew = Math.min(...newWrites);
  assert.ok(lastOld < firstNew, `the old active answered a write at ${lastOld}, after the new one's first at ${firstNew}`);
  assert.ok(oldWrites.every((t) => t < firstNew));
  // Requests that reach it now are refused at once: it knows no active node it could vouch for.
  assert.equal(old.process.exitCode, null, `the cut-off node is still running:\n${old.output()}`);
  const probe = await writeKv(old.base, 'probe', 'x', 'manual');
  assert.equal(probe.status, 503);
  assert.match(await probe.text(), /standby/);
  void oldRefusedWith503;
  assert.ok(firstNew - cutAt >= TTL_MS - 1500, `takeover ${firstNew - cutAt} ms after the cut: not before the lease could expire`);
  // Back in touch with the database, the old active is a standby that sends clients to the new one.
  old.proxy.heal();
  assert.equal((await fetch(`${old.base}/v1/sys/health`)).status, 429);
  let redirected: Response | undefined;
  await waitFor(async () => (redirected = await writeKv(old.base, 'healed', 'x', 'manual')).status === 307, 10_000, 'the old active to redirect');
  assert.equal(redirected!.headers.get('location'), `${other.base}/v1/secret/data/healed`);
});

test('sys/seal on the active is audited there, then the node seals and another takes over', async () => {
  const active = await theActive();
  const res = await fetch(`${active.base}/v1/sys/seal`, { method: 'PUT', headers: { 'x-vault-token': cluster.rootToken } });
  assert.equal(res.status, 204);
  assert.equal(((await (await fetch(`${active.base}/v1/sys/seal-status`)).json()) as { sealed: boolean }).sealed, true);
  const entries = readFileSync(active.auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; request: { path: string } })
    .filter((e) => e.request.path === 'sys/seal');
  assert.deepEqual(entries.map((e) => e.type), ['request', 'response']);
  // A sealed node names no leader: the others agree among themselves.
  const others = alive().filter((n) => n !== active);
  let next: HaNodeProcess | undefined;
  await waitFor(async () => {
    const views = await Promise.all(others.map(leaderOf));
    next = others.find((_, i) => views[i].is_self);
    return next !== undefined && views.every((v) => v.leader_address === next!.base);
  }, 10_000, 'another node to become active');
  assert.equal((await writeKv(next!.base, 'after-seal', 'yes')).status, 200);
});
