/**
 * Complete APM handshakes (init → dev-enclave document → auth) over HTTP against the real dev
 * server, with its file audit device on and then removed (DELETE sys/audit/file).
 *
 *   node --import tsx bench/apm-http.ts                       # BENCH_DURATION_MS, BENCH_CONCURRENCY
 *   node --import tsx -e "import('./bench/apm-http.ts').then(m => m.benchApmHttp({ durationMs: 5000, concurrency: 8 })).then(r => console.log(r.table))"
 *
 * The server runs in a child process (as in production, it does not share an event loop with its
 * clients); the clients sign in this process. The nonce changes per challenge, so every handshake
 * signs a new document (ES384) — that is the enclave's work, so it is also measured on its own,
 * and each handshake's latency is split into the server's part (the two round trips) and the
 * client's signing. With `cpuProfDir` the server child runs under `node --cpu-prof`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevEnclave, loadDevCaFromDir, type DevEnclave } from '../src/attestation/index.js';
import { systemClock } from '../src/lib/clock.js';

export interface ApmHttpBenchOptions {
  durationMs: number;
  /** Handshakes in flight (default 8). */
  concurrency?: number;
  /** Write a V8 CPU profile of the server child here. */
  cpuProfDir?: string;
  /** Interleaved rounds of the two scenarios (default 3); the median round is reported. */
  rounds?: number;
}

export interface ApmHttpRow {
  scenario: string;
  handshakesPerSecond: number;
  /** Whole handshake, client signing included. */
  p50Ms: number;
  p99Ms: number;
  /** The two HTTP round trips only (init + auth). */
  serverP50Ms: number;
  serverP99Ms: number;
  /** CPU time per handshake: the server child (from /proc, Linux) and this client process. */
  serverCpuMs: number | undefined;
  clientCpuMs: number;
}

export interface ApmHttpBenchResult {
  rows: ApmHttpRow[];
  /** Documents one client core signs per second, alone (the enclave's cost per handshake). */
  documentsPerSecond: number;
  table: string;
}

const root = new URL('..', import.meta.url).pathname;
const SIGNER = 'b3'.repeat(48);

interface DevChild {
  child: ChildProcess;
  address: string;
  token: string;
  stop(): Promise<void>;
}

function startDevServerChild(dir: string, cpuProfDir?: string): Promise<DevChild> {
  const args = [
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    '--import', 'tsx', 'src/cli/main.ts', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, '-log-level=error',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const address = /Api Address: (\S+)/.exec(out)?.[1];
      const token = /Root Token: (\S+)/.exec(out)?.[1];
      if (!address || !token) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        child, address, token,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGINT'); // a clean exit, so --cpu-prof writes its profile
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`dev server exited early with ${code}: ${out}`)));
  });
}

// The load generator's HTTP client: node:http on keep-alive connections, one per worker. (The
// global fetch costs the client process about twice the CPU per request, and on two shared cores
// a heavier load generator would be measured as a slower server.)
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(address: string, path: string, body: unknown, token?: string): Promise<any> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${address}/v1/${path}`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(token ? { 'x-vault-token': token } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 300) return reject(new Error(`POST ${path}: ${res.statusCode} ${text}`));
        resolve(text ? JSON.parse(text) : undefined);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function del(address: string, path: string, token: string): Promise<void> {
  const res = await fetch(`${address}/v1/${path}`, { method: 'DELETE', headers: { 'x-vault-token': token } });
  if (res.status >= 300) throw new Error(`DELETE ${path}: ${res.status} ${await res.text()}`);
}

/** User + system CPU ms of a process so far (Linux /proc; undefined elsewhere). */
function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return undefined;
  }
}

const percentile = (sorted: number[], p: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(2));

/** One complete login; returns [total ms, server round trips ms]. */
async function handshake(address: string, enclave: DevEnclave): Promise<[number, number]> {
  const t0 = performance.now();
  const init = (await post(address, 'auth/apm/v0/attest/nitro/init', {})).data.data;
  const t1 = performance.now();
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(init.challenge, 'base64')) })).toString('base64');
  const t2 = performance.now();
  const auth = await post(address, 'auth/apm/v0/attest/nitro/auth', { correlation_id: init.correlation_id, message });
  if (!auth?.auth?.client_token) throw new Error('benchmark login returned no token');
  const t3 = performance.now();
  return [t3 - t0, t1 - t0 + (t3 - t2)];
}

async function run(scenario: string, server: DevChild, enclaves: DevEnclave[], durationMs: number): Promise<ApmHttpRow> {
  const { address } = server;
  // Warm-up (JIT of both processes, keep-alive connections, the enclaves' leaf links in the cache).
  const warmEnd = performance.now() + Math.min(1000, durationMs / 4);
  await Promise.all(enclaves.map(async (e) => {
    do await handshake(address, e); while (performance.now() < warmEnd);
  }));
  const totals: number[] = [];
  const serverParts: number[] = [];
  const serverCpu0 = processCpuMs(server.child.pid);
  const clientCpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(enclaves.map(async (enclave) => {
    while (performance.now() < end) {
      const [total, part] = await handshake(address, enclave);
      totals.push(total);
      serverParts.push(part);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const serverCpu1 = processCpuMs(server.child.pid);
  const clientCpu = process.cpuUsage(clientCpu0);
  const n = totals.length;
  totals.sort((a, b) => a - b);
  serverParts.sort((a, b) => a - b);
  return {
    scenario,
    handshakesPerSecond: Math.round(totals.length / seconds),
    p50Ms: percentile(totals, 0.5), p99Ms: percentile(totals, 0.99),
    serverP50Ms: percentile(serverParts, 0.5), serverP99Ms: percentile(serverParts, 0.99),
    serverCpuMs: serverCpu0 === undefined || serverCpu1 === undefined ? undefined : Number(((serverCpu1 - serverCpu0) / n).toFixed(2)),
    clientCpuMs: Number(((clientCpu.user + clientCpu.system) / 1000 / n).toFixed(2)),
  };
}

function documentsPerSecond(enclave: DevEnclave, durationMs: number): number {
  const nonce = new Uint8Array(32).fill(9);
  enclave.attest({ nonce });
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < durationMs) {
    enclave.attest({ nonce });
    n++;
  }
  return Math.round(n / ((performance.now() - start) / 1000));
}

export async function benchApmHttp(options: ApmHttpBenchOptions): Promise<ApmHttpBenchResult> {
  const concurrency = options.concurrency ?? 8;
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-apm-'));
  const server = await startDevServerChild(dir, options.cpuProfDir);
  try {
    const { address, token } = server;
    await post(address, 'auth/apm/role/bench', { platform: 'nitro', signer_id: SIGNER, token_policies: 'default', token_ttl: '10m' }, token);
    const ca = await loadDevCaFromDir(join(dir, 'dev-ca'));
    // One enclave per worker: distinct images of one signer, each keeping its leaf like a booted enclave.
    const enclaves = Array.from({ length: concurrency }, (_, i) =>
      createDevEnclave({ ca, clock: systemClock, pcrs: { 0: (i + 1).toString(16).padStart(2, '0').repeat(48), 8: SIGNER } }));

    const documents = documentsPerSecond(enclaves[0], Math.min(options.durationMs, 2000));
    // Warm-up (discarded): JIT, each enclave's first chain verification, policy compilation — so
    // neither scenario below pays one-time costs the other does not. Then the two scenarios are
    // interleaved over several rounds (they share two cores with the signing clients, so single
    // passes are noisy) and the median round of each is reported.
    await run('warm-up', server, enclaves, Math.min(options.durationMs, 2000));
    const audited: ApmHttpRow[] = [];
    const unaudited: ApmHttpRow[] = [];
    const auditLog = join(dir, 'audit.log');
    for (let round = 0; round < (options.rounds ?? 3); round++) {
      if (round > 0) await post(address, 'sys/audit/file', { type: 'file', options: { file_path: auditLog } }, token);
      audited.push(await run('dev server, file audit device on', server, enclaves, options.durationMs));
      await del(address, 'sys/audit/file', token);
      unaudited.push(await run('dev server, no audit device', server, enclaves, options.durationMs));
    }
    const medianRow = (rs: ApmHttpRow[]) => ({ ...[...rs].sort((a, b) => a.handshakesPerSecond - b.handshakesPerSecond)[Math.floor(rs.length / 2)], rounds: rs.map((r) => r.handshakesPerSecond) });
    const rows = [medianRow(audited), medianRow(unaudited)];

    const table = [
      `Client-side document generation (ES384 sign + CBOR), one core: ${documents} documents/s (${(1000 / documents).toFixed(2)} ms each)`,
      '',
      `| scenario (${concurrency} concurrent clients, median of ${audited.length} interleaved rounds) | handshakes/s | p50 ms | p99 ms | round trips p50 ms | round trips p99 ms | server CPU ms/handshake | client CPU ms/handshake | each round /s |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...rows.map((r) => `| ${r.scenario} | ${r.handshakesPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.serverP50Ms} | ${r.serverP99Ms} | ${r.serverCpuMs ?? 'n/a'} | ${r.clientCpuMs} | ${r.rounds.join(', ')} |`),
    ].join('\n');
    return { rows, documentsPerSecond: documents, table };
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchApmHttp({
    durationMs: Number(process.env.BENCH_DURATION_MS ?? 5000),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
    cpuProfDir: process.env.BENCH_CPU_PROF_DIR,
  });
  console.log(result.table);
}
