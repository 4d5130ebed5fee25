// KV v2 read/write throughput and latency against a bare node:http JSON endpoint, KV reads with
// 0, 1 (file) and 2 (file + socket) audit devices on a server without the journal, and KV reads
// with the file device and the journal (a second server, right after the file-only run). On a 2-core machine the load generator, the
// server and the socket's far end share the cores, and the machine's speed drifts (other tenants):
// the same scenario measured twice a minute apart can differ by 1.5x. So:
// - scenarios are interleaved over several rounds, after a discarded warm-up of every path;
// - each round brackets the audited runs with an unaudited run before and after them
//   (unaudited → 1 device → 2 devices → unaudited), and each audited run is set against the
//   unaudited figure interpolated to its place in the round — a drift that is steady over the
//   round cancels out instead of landing on whichever scenario ran last;
// - the median of each figure and of each per-round ratio is reported, with every round shown.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, fmt, loadMeasuringServer, pageCacheProbe, processCpu, startChild } from './lib.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function summarize(name, runs, eachRound = runs.map((r) => Math.round(r.rps)).join(', ')) {
  const cpu = runs.every((r) => r.cpuUser !== undefined)
    ? { user: median(runs.map((r) => r.cpuUser)), system: median(runs.map((r) => r.cpuSystem)) }
    : undefined;
  return { name, rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), cpu, eachRound };
}

export async function benchKv({ duration = 5, rounds = 3 } = {}) {
  const bare = await startChild(['bench/bare-server.mjs']);
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  const jdir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-journal-'));
  const ldir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-noledger-'));
  writeFileSync(join(dir, 'no-journal.hcl'), 'journal {\n  enabled = false\n}\n');
  writeFileSync(join(ldir, 'no-ledger.hcl'), 'ledger {\n  enabled = false\n}\n');
  const server = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, `-config=${join(dir, 'no-journal.hcl')}`, '-log-level=error']);
  // The dev server's defaults: its file device, the journal and its ledger.
  const jserver = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${jdir}`, '-log-level=error']);
  // The journal alone: the dev defaults without the ledger.
  const nserver = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${ldir}`, `-config=${join(ldir, 'no-ledger.hcl')}`, '-log-level=error']);
  const sink = await startChild(['bench/tcp-sink.mjs']);
  const sinkPort = Number(new URL(sink.address).port);
  const { address, token } = server;
  const headers = { 'x-vault-token': token, 'content-type': 'application/json' };
  const runs = { bare: [], read0: [], read0After: [], write0: [], read1: [], read1n: [], read1j: [], read2: [] };
  const probes = [];
  const load = (options) => loadMeasuringServer(server.child.pid, options);
  try {
    probes.push(pageCacheProbe(dir));
    await api(address, token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    for (const j of [jserver, nserver]) await api(j.address, j.token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    // The journal's indexing is deferred while the server is busy (docs/journal.md): after each
    // run a query makes it catch up, so its work neither runs during the next scenario nor goes
    // unmeasured — its CPU is reported per request of the run.
    // The ledger follows the index; with it, catching up also waits for the ledger's checkpoint
    // to cover the run (its files written), so the ledger's work is in the figure too.
    const catchUp = async (j, requests) => {
      const before = processCpu(j.child.pid);
      const start = performance.now();
      for (let i = 0; i < 60; i++) {
        const r = await api(j.address, j.token, 'GET', 'sys/journal/records?limit=1');
        if (!r.warnings) break;
      }
      if (j === jserver) {
        const last = (await api(j.address, j.token, 'GET', 'sys/journal/records?limit=1&order=desc')).data.records[0].seq;
        for (let i = 0; i < 600; i++) {
          const cp = await fetch(`${j.address}/v1/sys/ledger/checkpoint`, { headers: { 'x-vault-token': j.token } });
          if (cp.ok && Number((await cp.text()).split('\n')[1]) > last) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const after = processCpu(j.child.pid);
      return { seconds: (performance.now() - start) / 1000, cpuUsPerRequest: before && after ? (after.user + after.system - before.user - before.system) / requests : undefined };
    };
    const readJournal = async (j, seconds = duration) => {
      const run = await loadMeasuringServer(j.child.pid, { url: `${j.address}/v1/secret/data/bench`, headers: { 'x-vault-token': j.token, 'content-type': 'application/json' }, duration: seconds });
      return { ...run, indexing: await catchUp(j, run.total) };
    };
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
    await readJournal(nserver, warmUp);
    await readJournal(jserver, warmUp);
    for (let round = 0; round < rounds; round++) {
      runs.bare.push(await loadMeasuringServer(bare.child.pid, { url: `${bare.address}/v1/x`, duration }));
      await devices(0);
      runs.read0.push(await read());
      await devices(1);
      runs.read1.push(await read());
      runs.read1n.push(await readJournal(nserver));
      runs.read1j.push(await readJournal(jserver));
      await devices(2);
      runs.read2.push(await read());
      await devices(0);
      runs.read0After.push(await read());
      runs.write0.push(await load({ url: `${address}/v1/secret/data/bench-write`, method: 'POST', headers, body: JSON.stringify({ data: { password: 'bench-value' } }), duration }));
    }
    probes.push(pageCacheProbe(dir));
  } finally {
    await Promise.all([bare.stop(), server.stop(), jserver.stop(), nserver.stop(), sink.stop()]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(jdir, { recursive: true, force: true });
    rmSync(ldir, { recursive: true, force: true });
  }

  const rows = [
    summarize('bare node:http JSON endpoint (baseline)', runs.bare),
    summarize('KV v2 read, no audit device (before and after the audited runs)', [...runs.read0, ...runs.read0After],
      runs.read0.map((r, i) => `${Math.round(r.rps)} → ${Math.round(runs.read0After[i].rps)}`).join(', ')),
    summarize('KV v2 read, 1 audit device (file)', runs.read1),
    summarize('KV v2 read, 2 audit devices (file + socket)', runs.read2),
    summarize('KV v2 read, file device + journal, ledger off (second server)', runs.read1n),
    summarize('KV v2 read, file device + journal + ledger (third server: the dev defaults)', runs.read1j),
    summarize('KV v2 write, no audit device', runs.write0),
  ];
  // The unaudited figure at an audited run's place in its round: the audited runs sit at slots 1
  // and 2 between the unaudited runs at slots 0 and 3, all of the same length.
  const unauditedAt = (slot) => runs.read0.map((before, i) => ({ rps: (before.rps * (3 - slot) + runs.read0After[i].rps * slot) / 3 }));
  // Per-round ratios, then their median.
  const ratio = (num, den) => median(num.map((r, i) => r.rps / den[i].rps));
  const perRound = (num, den) => num.map((r, i) => fmt(r.rps / den[i].rps, 2)).join(', ');
  const ratios = {
    readVsBare: ratio(runs.read0, runs.bare),
    writeVsBare: ratio(runs.write0, runs.bare),
    read1VsRead0: ratio(runs.read1, unauditedAt(1)),
    read2VsRead0: ratio(runs.read2, unauditedAt(2)),
    read1VsBare: ratio(runs.read1, runs.bare),
    // The journal's cost: file + journal against the file device alone, run just before it.
    journalVsFile: ratio(runs.read1n, runs.read1),
    // The ledger's cost: file + journal + ledger against file + journal, run just before it.
    ledgerVsJournal: ratio(runs.read1j, runs.read1n),
    read2VsBare: ratio(runs.read2, runs.bare),
    // The same against the unaudited run just before (the design before bracketing), for reference.
    read1VsRead0Before: ratio(runs.read1, runs.read0),
    read2VsRead0Before: ratio(runs.read2, runs.read0),
  };
  const vsBare = [1, ratios.readVsBare, ratios.read1VsBare, ratios.read2VsBare, ratio(runs.read1n, runs.bare), ratio(runs.read1j, runs.bare), ratios.writeVsBare];
  const vsUnaudited = [undefined, 1, ratios.read1VsRead0, ratios.read2VsRead0, undefined, undefined, undefined];
  const indexing = (rs) => {
    const cpuUs = rs.map((r) => r.indexing.cpuUsPerRequest).filter((x) => x !== undefined);
    return `${cpuUs.length > 0 ? `${fmt(median(cpuUs), 1)} µs of server CPU per request of the run` : 'CPU n/a'}, ${fmt(median(rs.map((r) => r.indexing.seconds)), 1)} s (medians)`;
  };
  const cpu = (r) => (r.cpu ? `${fmt(r.cpu.user, 1)} + ${fmt(r.cpu.system, 1)}` : 'n/a');
  const probe = (p) => `appending ${fmt(p.appendUsPerKib, 2)} µs/KiB, rewriting cached pages ${fmt(p.rewriteUsPerKib, 2)} µs/KiB`;
  const table = [
    `| scenario (${rounds} interleaved rounds) | requests/s (median) | p50 ms | p99 ms | vs bare endpoint (median of per-round ratios) | vs unaudited KV read (median of per-round ratios, interpolated baseline) | server CPU µs/request, user + kernel (median) | each round req/s |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r, i) => `| ${r.name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${fmt(vsBare[i], 2)} | ${vsUnaudited[i] === undefined ? '' : fmt(vsUnaudited[i], 2)} | ${cpu(r)} | ${r.eachRound} |`),
    '',
    `Per round, against the unaudited figure interpolated to the audited run's place: 1 device / unaudited ${perRound(runs.read1, unauditedAt(1))}; 2 devices / unaudited ${perRound(runs.read2, unauditedAt(2))}.`,
    `The journal: file device + journal / file device alone (median of per-round ratios) ${fmt(ratios.journalVsFile, 2)} (${perRound(runs.read1n, runs.read1)}). Its indexing, deferred while the server was busy and caught up after each run: ${indexing(runs.read1n)}.`,
    `The ledger: file device + journal + ledger / file device + journal (median of per-round ratios) ${fmt(ratios.ledgerVsJournal, 2)} (${perRound(runs.read1j, runs.read1n)}). Indexing and the ledger, caught up after each run (until a checkpoint covers it): ${indexing(runs.read1j)}.`,
    `Against the unaudited run before them only (median of per-round ratios): 1 device ${fmt(ratios.read1VsRead0Before, 2)} (${perRound(runs.read1, runs.read0)}); 2 devices ${fmt(ratios.read2VsRead0Before, 2)} (${perRound(runs.read2, runs.read0)}).`,
    '',
    `Kernel cost of file writes on this machine (wall time per KiB, 24 KiB writes) before the rounds: ${probe(probes[0])}; after: ${probe(probes[1])}.`,
  ].join('\n');
  return { rows, ratios, probes, table };
}
