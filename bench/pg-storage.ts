/**
 * PostgreSQL storage against SQLite: KV v2 reads and writes over HTTP on three servers in their own
 * processes (SQLite; PostgreSQL; PostgreSQL with HA on, whose writes pass the database's fence),
 * interleaved over rounds, reported as ratios to SQLite in the same round. Then failover: a
 * three-node HA cluster (lock TTL 3 s), the active killed with SIGKILL while a client writes
 * through a standby every 20 ms; the time from the kill to the first acknowledged write.
 * The load generator is node:http with 32 keep-alive connections, in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../test/helpers/postgres.js';
import { freePort, startHaCluster, waitFor } from '../test/helpers/ha-cluster.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Server { name: string; base: string; token: string; child: ChildProcess }

async function startServer(dir: string, name: string, storage: string): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `api_addr = "${base}"\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\n${storage}\njournal {\n  enabled = false\n}\nlog_level = "error"\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server', `-config=${config}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('Api Address:')) resolve(); });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
  child.stdout!.resume();
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}/v1/${path}`, { method, headers: token ? { 'x-vault-token': token } : {}, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${name} ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json() as Promise<Record<string, unknown>>;
  };
  const init = await call('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 }) as { keys_base64: string[]; root_token: string };
  await call('PUT', 'sys/unseal', { key: init.keys_base64[0] });
  const token = init.root_token;
  for (let i = 0; ; i++) {
    const h = await fetch(`${base}/v1/sys/health`);
    if (h.status === 200) break;
    if (i > 200) throw new Error(`${name} did not become active`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await call('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, token);
  await call('POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } }, token);
  return { name, base, token, child };
}

/** Requests per second over `seconds` with 32 concurrent keep-alive connections; every answer must be 200. */
async function loadRun(server: Server, method: 'GET' | 'POST', seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const url = new URL(`${server.base}/v1/secret/data/${method === 'GET' ? 'bench' : 'bench-write'}`);
  const body = JSON.stringify({ data: { password: 'bench-value' } });
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const one = () => new Promise<void>((resolve, reject) => {
    const req = request(url, { method, agent, headers: { 'x-vault-token': server.token, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${server.name}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() < end) {
      await one();
      done++;
    }
  }));
  agent.destroy();
  return done / ((performance.now() - start) / 1000);
}

export async function benchPgStorage(opts: { seconds: number; rounds: number }): Promise<string> {
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-pg-'));
  const servers: Server[] = [];
  const lines: string[] = [];
  try {
    const url = (db: string) => pg.createDatabase(db);
    servers.push(await startServer(dir, 'sqlite', `storage "sqlite" {\n  path = "${join(dir, 'data.db')}"\n}`));
    servers.push(await startServer(dir, 'postgresql', `storage "postgresql" {\n  connection_url = "${url('plain')}"\n}`));
    servers.push(await startServer(dir, 'postgresql-ha', `storage "postgresql" {\n  connection_url = "${url('ha')}"\n  ha_enabled = true\n}`));
    const rps: Record<string, { read: number[]; write: number[] }> = Object.fromEntries(servers.map((s) => [s.name, { read: [], write: [] }]));
    for (const s of servers) { await loadRun(s, 'GET', 1); await loadRun(s, 'POST', 1); } // warm-up
    for (let round = 0; round < opts.rounds; round++) {
      for (const s of servers) rps[s.name].read.push(await loadRun(s, 'GET', opts.seconds));
      for (const s of servers) rps[s.name].write.push(await loadRun(s, 'POST', opts.seconds));
    }
    const ratio = (name: string, kind: 'read' | 'write') => median(rps[name][kind].map((x, i) => x / rps.sqlite[kind][i]));
    lines.push(`| storage (${opts.rounds} interleaved rounds of ${opts.seconds} s, 32 connections) | KV v2 read req/s (median) | read vs SQLite | KV v2 write req/s (median) | write vs SQLite |`, '|---|---:|---:|---:|---:|');
    for (const s of servers) {
      lines.push(`| ${s.name} | ${median(rps[s.name].read).toFixed(0)} | ${ratio(s.name, 'read').toFixed(2)} | ${median(rps[s.name].write).toFixed(0)} | ${ratio(s.name, 'write').toFixed(2)} |`);
    }
  } finally {
    for (const s of servers) s.child.kill('SIGKILL');
    pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  lines.push('', await failover());
  return lines.join('\n');
}

async function failover(): Promise<string> {
  const cluster = await startHaCluster({ lockTtl: '3s' });
  const times: number[] = [];
  try {
    await fetch(`${cluster.nodes[0].base}/v1/sys/mounts/secret`, { method: 'POST', headers: { 'x-vault-token': cluster.rootToken }, body: JSON.stringify({ type: 'kv', options: { version: '2' } }) });
    const alive = () => cluster.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    for (let round = 0; round < 2; round++) {
      let active: typeof cluster.nodes[number] | undefined;
      await waitFor(async () => {
        for (const n of alive()) if (((await (await fetch(`${n.base}/v1/sys/leader`)).json()) as { is_self: boolean }).is_self) active = n;
        return active !== undefined;
      }, 20_000, 'an active node');
      const through = alive().find((n) => n !== active)!;
      active!.process.kill('SIGKILL');
      const killedAt = performance.now();
      await active!.exited;
      for (let i = 0; i < 1000; i++) {
        const res = await fetch(`${through.base}/v1/secret/data/failover-${round}-${i}`, {
          method: 'PUT', headers: { 'x-vault-token': cluster.rootToken }, body: JSON.stringify({ data: { i } }), signal: AbortSignal.timeout(2000),
        }).catch(() => undefined);
        if (res?.status === 200) { times.push(performance.now() - killedAt); break; }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    await cluster.destroy();
  }
  return `Failover (3 nodes, lock TTL 3 s; the active killed with SIGKILL, writes through a standby every 20 ms): first acknowledged write ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} after the kill (bound: TTL + TTL/10 = 3.3 s plus the time to build services).`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchPgStorage({ seconds: Number(process.env.BENCH_DURATION ?? 3), rounds: Number(process.env.BENCH_ROUNDS ?? 3) }));
}
