/**
 * A three-node HA cluster for end-to-end tests: one throwaway PostgreSQL, each node a server
 * process of its own (so SIGKILL is real) with its own config and data dir, connected to the
 * database through a TCP proxy of its own (so one node can be cut off). The first node is
 * initialized (one key share, also written to the shared seal file, which a restarted node reads)
 * and unsealed; then the others are unsealed with the same key and stand by.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { startPostgres, type PostgresCluster } from './postgres.js';

export { freePort };
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface HaNodeProcess {
  name: string;
  /** The node's own file audit device (declared in its config; opened only while it is active). */
  auditLog: string;
  base: string;
  proxy: TcpProxy;
  process: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

export interface HaCluster {
  pg: PostgresCluster;
  nodes: HaNodeProcess[];
  rootToken: string;
  dir: string;
  destroy(): Promise<void>;
}

/**
 * Without the journal the nodes run only their file audit device; with it, the journal, its
 * ledger and the CloudTrail event store live in the cluster's database (the default beside
 * PostgreSQL storage), as a production cluster runs.
 */
function journalBlock(journal: boolean): string {
  return journal ? 'ledger {\n  checkpoint_interval = "200ms"\n}\n' : 'journal {\n  enabled = false\n}\n';
}

/** One node, sealed (and, on a fresh database, uninitialized), its database traffic through a proxy of its own. */
export async function startNode(dir: string, name: string, pgPort: number, lockTtl: string, journal: boolean): Promise<HaNodeProcess> {
  const proxy = await startTcpProxy(pgPort);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `
api_addr = "${base}"
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
storage "postgresql" {
  connection_url = "postgres://postgres@127.0.0.1:${proxy.port}/postgres"
  ha_enabled     = true
  ha_lock_ttl    = "${lockTtl}"
  max_parallel   = 16
}
seal "file" {
  path = "${join(dir, 'unseal.key')}"
}
${journalBlock(journal)}audit "file" "file/" {
  options = { file_path = "${join(dir, `${name}-audit.log`)}" }
}
allow_api_audit_creation = true
log_level = "warn"
`);
  const env = { ...process.env };
  for (const k of ['SEALTRAIL_ADDR', 'SEALTRAIL_TOKEN', 'VAULT_ADDR', 'VAULT_TOKEN', 'SEALTRAIL_PG_CONNECTION_URL']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server', `-config=${config}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time:\n${out}`)), 60_000);
    const check = () => { if (/^Api Address: /m.test(out)) { clearTimeout(timer); resolve(); } };
    child.stdout!.on('data', check);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}):\n${out}`)); });
  });
  return { name, base, auditLog: join(dir, `${name}-audit.log`), proxy, process: child, exited, output: () => out };
}

export async function startHaCluster(opts: { lockTtl?: string; journal?: boolean } = {}): Promise<HaCluster> {
  const lockTtl = opts.lockTtl ?? '3s';
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ha-'));
  const pg = await startPostgres();
  const nodes: HaNodeProcess[] = [];
  const destroy = async () => {
    for (const n of nodes) if (n.process.exitCode === null && n.process.signalCode === null) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await Promise.all(nodes.map((n) => n.proxy.close()));
    pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // All three start sealed and uninitialized; node1 is initialized, then each is unsealed by hand.
    nodes.push(...await Promise.all(['node1', 'node2', 'node3'].map((name) => startNode(dir, name, pg.port, lockTtl, opts.journal === true))));
    const init = await fetch(`${nodes[0].base}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }) });
    if (init.status !== 200) throw new Error(`init failed: ${init.status} ${await init.text()}`);
    const { keys_base64: keys, root_token: rootToken } = await init.json() as { keys_base64: string[]; root_token: string };
    writeFileSync(join(dir, 'unseal.key'), `${keys[0]}\n`, { mode: 0o600 });
    const unseal = async (node: HaNodeProcess) => {
      const res = await fetch(`${node.base}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key: keys[0] }) });
      if (res.status !== 200) throw new Error(`unseal of ${node.name} failed: ${res.status} ${await res.text()}`);
    };
    await unseal(nodes[0]);
    await waitFor(async () => (await fetch(`${nodes[0].base}/v1/sys/health`)).status === 200, 20_000, 'node1 to become active');
    await Promise.all(nodes.slice(1).map(unseal));
    return { pg, nodes, rootToken, dir, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** Polls `check` every 100 ms until it holds; fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
