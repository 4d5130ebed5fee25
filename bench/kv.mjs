// KV v2 read/write throughput and latency against a bare node:http JSON endpoint, and KV reads with
// 0, 1 (file) and 2 (file + socket) audit devices. On a 2-core machine the load generator, the
// server and the socket's far end share the cores, and the machine's speed drifts (other tenants):
// one pass per scenario is noisy. So scenarios are interleaved over several rounds, each ratio is
// taken within a round between neighbouring runs (bare → unaudited → 1 device → 2 devices), and
// the median of each figure and of each per-round ratio is reported. A discarded warm-up precedes
// the rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, fmt, loadMeasuringServer, pageCacheProbe, startChild } from './lib.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function summarize(name, runs) {
  const cpu = runs.every((r) => r.cpuUser !== undefined)
    ? { user: median(runs.map((r) => r.cpuUser)), system: median(runs.map((r) => r.cpuSystem)) }
    : undefined;
  return { name, rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), cpu, runs: runs.map((r) => Math.round(r.rps)) };
}

export async function benchKv({ duration = 5, rounds = 3 } = {}) {
  const bare = await startChild(['bench/bare-server.mjs']);
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  const server = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, '-log-level=error']);
  const sink = await startChild(['bench/tcp-sink.mjs']);
  const sinkPort = Number(new URL(sink.address).port);
  const { address, token } = server;
  const headers = { 'x-vault-token': token, 'content-type': 'application/json' };
  const runs = { bare: [], read0: [], write0: [], read1: [], read2: [] };
  const probes = [];
  const load = (options) => loadMeasuringServer(server.child.pid, options);
  try {
    probes.push(pageCacheProbe(dir));
    await api(address, token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    await api(address, token, 'DELETE', 'sys/audit/file'); // dev mode starts with one
    const read = (seconds = duration) => load({ url: `${address}/v1/secret/data/bench`, headers, duration: seconds });
    const devices = async (n) => {
      await api(address, token, 'DELETE', 'sys/audit/file');
      await api(address, token, 'DELETE', 'sys/audit/socket');
      if (n >= 1) await api(address, token, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'bench-audit.log') } });
      if (n >= 2) await api(address, token, 'PUT', 'sys/audit/socket', { type: 'socket', options: { address: `127.0.0.1:${sinkPort}`, socket_type: 'tcp' } });
    };
    // A discarded warm-up of every path, so that the first round does not run on code the JIT has
    // not optimized yet (a cold unaudited read ran ~25% slower, which flattered the first ratio).
    const warmUp = Math.min(duration, 3);
    await devices(2);
    await read(warmUp);
    await devices(0);
    await read(warmUp);
    await loadMeasuringServer(bare.child.pid, { url: `${bare.address}/v1/x`, duration: warmUp });
    for (let round = 0; round < rounds; round++) {
      runs.bare.push(await loadMeasuringServer(bare.child.pid, { url: `${bare.address}/v1/x`, duration }));
      await devices(0);
      runs.read0.push(await read());
      await devices(1);
      runs.read1.push(await read());
      await devices(2);
      runs.read2.push(await read());
      await devices(0);
      runs.write0.push(await load({ url: `${address}/v1/secret/data/bench-write`, method: 'POST', headers, body: JSON.stringify({ data: { password: 'bench-value' } }), duration }));
    }
    probes.push(pageCacheProbe(dir));
  } finally {
    await Promise.all([bare.stop(), server.stop(), sink.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = [
    summarize('bare node:http JSON endpoint (baseline)', runs.bare),
    summarize('KV v2 read, no audit device', runs.read0),
    summarize('KV v2 read, 1 audit device (file)', runs.read1),
    summarize('KV v2 read, 2 audit devices (file + socket)', runs.read2),
    summarize('KV v2 write, no audit device', runs.write0),
  ];
  // Per-round ratios between neighbouring runs, then their median.
  const ratio = (num, den) => median(num.map((r, i) => r.rps / den[i].rps));
  const perRound = (num, den) => num.map((r, i) => fmt(r.rps / den[i].rps, 2)).join(', ');
  const ratios = {
    readVsBare: ratio(runs.read0, runs.bare),
    writeVsBare: ratio(runs.write0, runs.bare),
    read1VsRead0: ratio(runs.read1, runs.read0),
    read2VsRead0: ratio(runs.read2, runs.read0),
    read1VsBare: ratio(runs.read1, runs.bare),
    read2VsBare: ratio(runs.read2, runs.bare),
  };
  const vsBare = [1, ratios.readVsBare, ratios.read1VsBare, ratios.read2VsBare, ratios.writeVsBare];
  const vsUnaudited = [undefined, 1, ratios.read1VsRead0, ratios.read2VsRead0, undefined];
  const cpu = (r) => (r.cpu ? `${fmt(r.cpu.user, 1)} + ${fmt(r.cpu.system, 1)}` : 'n/a');
  const probe = (p) => `appending ${fmt(p.appendUsPerKib, 2)} µs/KiB, rewriting cached pages ${fmt(p.rewriteUsPerKib, 2)} µs/KiB`;
  const table = [
    `| scenario (${rounds} interleaved rounds) | requests/s (median) | p50 ms | p99 ms | vs bare endpoint (median of per-round ratios) | vs unaudited KV read (median of per-round ratios) | server CPU µs/request, user + kernel (median) | each round req/s |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r, i) => `| ${r.name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${fmt(vsBare[i], 2)} | ${vsUnaudited[i] === undefined ? '' : fmt(vsUnaudited[i], 2)} | ${cpu(r)} | ${r.runs.join(', ')} |`),
    '',
    `Per round, 1 device / unaudited: ${perRound(runs.read1, runs.read0)}; 2 devices / unaudited: ${perRound(runs.read2, runs.read0)}.`,
    '',
    `Kernel cost of file writes on this machine (wall time per KiB, 24 KiB writes) before the rounds: ${probe(probes[0])}; after: ${probe(probes[1])}.`,
  ].join('\n');
  return { rows, ratios, probes, table };
}
