/**
 * What auditing adds to a KV v2 read inside the server, without HTTP: the real dev server's core
 * (`core.handle`, the whole lifecycle: token, ACL, audit request entry, handler, audit response
 * entry) in a loop, 16 requests per turn of the event loop, with 0, 1 (file) and 2 (file + socket)
 * audit devices on a server without the journal, and the file device with the journal on a second
 * server (the dev defaults), interleaved over rounds. The socket device's listener is a separate
 * process, as in the HTTP benchmark. The journal's indexer thread runs beside the loop on the
 * other core: the wall time per request is what the journal adds to the thread answering requests.
 *
 * Over HTTP (kv.mjs) the same read costs ~10× more CPU, most of it in the kernel and node:http,
 * and that share moves with the machine's load; in process, the figures are the audit's own cost:
 * µs per request (wall time and CPU) and requests/s against the unaudited read of the same round.
 *
 * Run alone: `node --import tsx bench/audit-inprocess.ts`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogicalRequest, Operation } from '../src/core/index.js';
import { uuid } from '../src/lib/ids.js';
import { runServer } from '../src/app/run.js';

interface Round { usPerRequest: number; cpuUsPerRequest: number; mainCpuUsPerRequest: number }

/** CPU time (user + kernel, µs) of this process's main thread alone: /proc/self/task/<pid>/stat, in 10 ms ticks. */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const PER_TURN = 16;

/** The socket device's far end (bench/tcp-sink.mjs) in its own process; resolves with its port. */
async function startSink(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['bench/tcp-sink.mjs'], { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    const port = /Api Address: tcp:\/\/[^:]+:(\d+)/.exec(out)?.[1];
    // Leaving the loop closes our end of its stdout; the sink writes nothing more there.
    if (port) return { port: Number(port), stop: async () => { child.kill('SIGTERM'); if (child.exitCode === null) await once(child, 'exit'); } };
  }
  throw new Error(`tcp-sink exited early: ${out}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchAuditInProcess(opts: { roundMs: number; rounds: number }): Promise<{ table: string; journalVsFile: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  const jdir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-journal-'));
  writeFileSync(join(dir, 'no-journal.hcl'), 'journal {\n  enabled = false\n}\n');
  const sink = await startSink();
  const quiet = { dev: true, devListenAddress: '127.0.0.1:0', logLevel: 'error', handleSignals: false, out: () => undefined } as const;
  const server = await runServer({ ...quiet, devDataDir: dir, configPath: join(dir, 'no-journal.hcl') });
  // The dev defaults: its file device and the journal.
  const journaled = await runServer({ ...quiet, devDataDir: jdir });
  const { core } = server;
  const token = server.rootToken!;
  const request = (operation: Operation, path: string, data: Record<string, unknown> = {}, clientToken = token): LogicalRequest => ({
    id: uuid(), operation, path, data, clientToken, remoteAddress: '127.0.0.1', remotePort: 50000,
    headers: { 'user-agent': ['sealtrail-bench'] }, wrapTtl: 0,
  });
  const devices = async (n: number) => {
    for (const path of ['sys/audit/file', 'sys/audit/socket']) await core.handle(request('delete', path));
    if (n >= 1) await core.handle(request('update', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'bench-audit.log') } }));
    if (n >= 2) await core.handle(request('update', 'sys/audit/socket', { type: 'socket', options: { address: `127.0.0.1:${sink.port}`, socket_type: 'tcp' } }));
  };
  const reads = async (ms: number, target = server): Promise<Round> => {
    const handle = (r: LogicalRequest) => target.core.handle(r);
    const t = target.rootToken!;
    let n = 0;
    const start = performance.now();
    const cpu = process.cpuUsage();
    const main = mainThreadCpuUs();
    while (performance.now() - start < ms) {
      const turn: Promise<unknown>[] = [];
      for (let i = 0; i < PER_TURN; i++) turn.push(handle(request('read', 'secret/data/bench', {}, t)));
      await Promise.all(turn);
      await new Promise((resolve) => setImmediate(resolve));
      n += PER_TURN;
    }
    const used = process.cpuUsage(cpu);
    return { usPerRequest: ((performance.now() - start) * 1000) / n, cpuUsPerRequest: (used.user + used.system) / n, mainCpuUsPerRequest: (mainThreadCpuUs() - main) / n };
  };

  const runs: Round[][] = [[], [], [], []];
  try {
    for (const target of [server, journaled]) {
      await target.core.handle(request('update', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } }, target.rootToken!));
    }
    for (const n of [2, 1, 0]) { // a discarded warm-up of every path
      await devices(n);
      await reads(Math.min(opts.roundMs, 1000));
    }
    await reads(Math.min(opts.roundMs, 1000), journaled);
    for (let round = 0; round < opts.rounds; round++) {
      for (const n of [0, 1, 2]) {
        await devices(n);
        runs[n].push(await reads(opts.roundMs));
        if (n === 1) runs[3].push(await reads(opts.roundMs, journaled));
      }
    }
  } finally {
    await server.close();
    await journaled.close();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(jdir, { recursive: true, force: true });
  }

  const names = ['KV v2 read, no audit device', 'KV v2 read, 1 audit device (file)', 'KV v2 read, 2 audit devices (file + socket)', 'KV v2 read, file device + journal'];
  const rows = runs.map((r, n) => {
    const us = median(r.map((x) => x.usPerRequest));
    const cpu = median(r.map((x) => x.cpuUsPerRequest));
    const mainCpu = median(r.map((x) => x.mainCpuUsPerRequest));
    // Requests/s against the unaudited read of the same round, then the median.
    const ratio = median(r.map((x, i) => runs[0][i].usPerRequest / x.usPerRequest));
    const added = median(r.map((x, i) => x.usPerRequest - runs[0][i].usPerRequest));
    const rounds = r.map((x) => x.usPerRequest.toFixed(2)).join(', ');
    return `| ${names[n]} | ${Math.round(1e6 / us).toLocaleString('en-US')} | ${us.toFixed(2)} | ${cpu.toFixed(2)} | ${mainCpu.toFixed(2)} | ${n === 0 ? '' : added.toFixed(2)} | ${ratio.toFixed(2)} | ${rounds} |`;
  });
  const journalRounds = runs[3].map((x, i) => runs[1][i].usPerRequest / x.usPerRequest);
  // The same on the main thread's own CPU time: what answering a request costs that thread,
  // whatever else (the indexer, other tenants) runs on the machine.
  const journalMainRounds = runs[3].map((x, i) => runs[1][i].mainCpuUsPerRequest / x.mainCpuUsPerRequest);
  const table = [
    `| scenario (${opts.rounds} interleaved rounds of ${opts.roundMs / 1000} s, ${PER_TURN} reads per turn) | requests/s | µs/request | CPU µs/request (all threads) | main thread CPU µs/request | added µs/request | vs unaudited (median of per-round ratios) | each round µs/request |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `The journal: file device + journal / file device alone, requests/s per round: ${journalRounds.map((x) => x.toFixed(2)).join(', ')} (median ${median(journalRounds).toFixed(2)}); by the main thread's CPU µs/request: ${journalMainRounds.map((x) => x.toFixed(2)).join(', ')} (median ${median(journalMainRounds).toFixed(2)}).`,
  ].join('\n');
  return { table, journalVsFile: median(journalRounds) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log((await benchAuditInProcess({ roundMs: 3000, rounds: 5 })).table);
}
