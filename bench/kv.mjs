// KV v2 read/write throughput and latency against a bare node:http JSON endpoint, and KV reads with
// 0, 1 (file) and 2 (file + socket) audit devices — all measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, fmt, load, startChild } from './lib.mjs';

export async function benchKv({ duration = 5 } = {}) {
  const rows = [];
  const bare = await startChild(['bench/bare-server.mjs']);
  try {
    rows.push({ name: 'bare node:http JSON endpoint (baseline)', ...(await load({ url: `${bare.address}/v1/x`, duration })) });
  } finally {
    await bare.stop();
  }

  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  const server = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, '-log-level=error']);
  const sink = await startChild(['bench/tcp-sink.mjs']);
  const sinkPort = Number(new URL(sink.address).port);
  try {
    const { address, token } = server;
    const headers = { 'x-vault-token': token, 'content-type': 'application/json' };
    await api(address, token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    // Dev mode starts with the file device; take it away for the unaudited figures.
    await api(address, token, 'DELETE', 'sys/audit/file');

    const read = () => load({ url: `${address}/v1/secret/data/bench`, headers, duration });
    rows.push({ name: 'KV v2 read, no audit device', ...(await read()) });
    rows.push({
      name: 'KV v2 write, no audit device',
      ...(await load({ url: `${address}/v1/secret/data/bench-write`, method: 'POST', headers, body: JSON.stringify({ data: { password: 'bench-value' } }), duration })),
    });

    await api(address, token, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'bench-audit.log') } });
    rows.push({ name: 'KV v2 read, 1 audit device (file)', ...(await read()) });

    await api(address, token, 'PUT', 'sys/audit/socket', { type: 'socket', options: { address: `127.0.0.1:${sinkPort}`, socket_type: 'tcp' } });
    rows.push({ name: 'KV v2 read, 2 audit devices (file + socket)', ...(await read()) });
  } finally {
    await server.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const base = rows[0].rps;
  const unaudited = rows[1].rps;
  const lines = [
    '| scenario | requests/s | p50 ms | p99 ms | vs bare endpoint | vs unaudited KV read |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${fmt(r.rps / base, 2)} | ${r.name.startsWith('KV v2 read') ? fmt(r.rps / unaudited, 2) : ''} |`),
  ];
  return { rows, table: lines.join('\n') };
}
