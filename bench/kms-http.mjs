// KMS over HTTP without the SDK client: the server side of Encrypt, Decrypt and GenerateDataKey,
// set against KV v2 reads on the same server. Each call is signed once with the AWS SDK's own
// signer (@smithy/signature-v4) and replayed by autocannon — a SigV4 signature stays valid for
// 15 minutes, and the server verifies every copy in full (the bench only spares the client's
// signing and JSON work, which the SDK bench in bench/kms.ts runs on the same two cores).
//
// The server is the dev server in its own process with its file audit device and without the
// journal (as the KV section's audited read); every KMS call also commits its CloudTrail event to
// the trail's event store. Rounds interleave `KV read → Encrypt → Decrypt → GenerateDataKey →
// KV read`, and each KMS run is set against the KV figure interpolated to its place in the round.
// The store indexes its events later, while the server is idle (src/trail/store/deferred-indexing.ts):
// after each KMS run a LookupEvents call makes it catch up, so that work runs during no other
// scenario, and its server CPU is reported per call of the run. Server CPU is the process's (every
// thread), and apart the main thread's, which answers requests: on two cores shared with the load
// generator the process's total bounds the rate, not the main thread's alone.
//
//   npm run build && node bench/kms-http.mjs [seconds per run] [rounds]   (BENCH_CPU_PROF=<dir> profiles the server)
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { api, fmt, loadMeasuringServer, processCpu, startChild } from './lib.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The hash the signer asks for, on node:crypto (HMAC when given a secret). */
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.h.update(data); }
  digest() { return Promise.resolve(new Uint8Array(this.h.digest())); }
}

/** A signed AWS JSON 1.1 call as autocannon replays it. */
async function signedCall(address, credentials, region, target, body, service = 'kms') {
  const url = new URL(address);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const text = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': service === 'kms' ? `TrentService.${target}` : `CloudTrail_20131101.${target}` },
    body: text,
  });
  return { url: `${address}/`, method: 'POST', headers: signed.headers, body: text };
}

async function send(call) {
  const res = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${call.headers['x-amz-target']}: ${res.status} ${text}`);
  return JSON.parse(text);
}

function printedValue(out, label) {
  const m = new RegExp(`${label}: (\\S+)`).exec(out);
  if (!m) throw new Error(`the server printed no ${label}`);
  return m[1];
}

export async function benchKmsHttp({ duration = 5, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-kms-'));
  writeFileSync(join(dir, 'no-journal.hcl'), 'journal {\n  enabled = false\n}\n');
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server = await startChild([...prof, 'bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, `-config=${join(dir, 'no-journal.hcl')}`, '-log-level=error'], { until: /AWS Region: .*\n/ });
  const runs = { kvBefore: [], kvAfter: [], Encrypt: [], Decrypt: [], GenerateDataKey: [] };
  const catchUp = { Encrypt: [], Decrypt: [], GenerateDataKey: [] };
  try {
    const { address, token } = server;
    const credentials = { accessKeyId: printedValue(server.banner, 'AWS Access Key'), secretAccessKey: printedValue(server.banner, 'AWS Secret Key') };
    const region = printedValue(server.banner, 'AWS Region');
    await api(address, token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    const keyId = (await send(await signedCall(address, credentials, region, 'CreateKey', { Description: 'bench' }))).KeyMetadata.KeyId;
    const context = { bench: 'kms' };
    const plaintext = Buffer.alloc(32, 7).toString('base64');
    const blob = (await send(await signedCall(address, credentials, region, 'Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }))).CiphertextBlob;
    const calls = {
      Encrypt: await signedCall(address, credentials, region, 'Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }),
      Decrypt: await signedCall(address, credentials, region, 'Decrypt', { CiphertextBlob: blob, EncryptionContext: context }),
      GenerateDataKey: await signedCall(address, credentials, region, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }),
    };
    for (const c of Object.values(calls)) await send(c);
    const lookup = await signedCall(address, credentials, region, 'LookupEvents', { MaxResults: 1 }, 'cloudtrail');
    const load = (options) => loadMeasuringServer(server.child.pid, options);
    const kvRead = (seconds) => load({ url: `${address}/v1/secret/data/bench`, headers: { 'x-vault-token': token }, duration: seconds });
    /** A KMS run, then the event store's catch-up (server CPU µs per call of the run). */
    const kms = async (name, seconds) => {
      const run = await load({ ...calls[name], duration: seconds });
      const before = processCpu(server.child.pid);
      await send(lookup);
      const after = processCpu(server.child.pid);
      if (before && after) catchUp[name].push((after.user + after.system - before.user - before.system) / run.total);
      return run;
    };
    // A discarded warm-up of every path (the JIT), as in the KV section.
    const warmUp = Math.min(duration, 3);
    await kvRead(warmUp);
    for (const name of Object.keys(calls)) await kms(name, warmUp);
    for (const name of Object.keys(catchUp)) catchUp[name].length = 0;
    for (let round = 0; round < rounds; round++) {
      runs.kvBefore.push(await kvRead(duration));
      for (const name of Object.keys(calls)) runs[name].push(await kms(name, duration));
      runs.kvAfter.push(await kvRead(duration));
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // KMS runs sit at slots 1..3 between the KV reads at slots 0 and 4.
  const kvAt = (slot) => runs.kvBefore.map((b, i) => (b.rps * (4 - slot) + runs.kvAfter[i].rps * slot) / 4);
  const names = ['Encrypt', 'Decrypt', 'GenerateDataKey'];
  const ratios = Object.fromEntries(names.map((n, k) => {
    const kv = kvAt(k + 1);
    const perRound = runs[n].map((r, i) => r.rps / kv[i]);
    return [n, { median: median(perRound), perRound }];
  }));
  const row = (name, rs, ratio, later) => {
    const cpu = rs.every((r) => r.cpuUser !== undefined) ? `${fmt(median(rs.map((r) => r.cpuUser)), 1)} + ${fmt(median(rs.map((r) => r.cpuSystem)), 1)}` : 'n/a';
    const main = rs.every((r) => r.cpuMain !== undefined) ? fmt(median(rs.map((r) => r.cpuMain)), 1) : 'n/a';
    const indexing = later && later.length > 0 ? fmt(median(later), 1) : '';
    return `| ${name} | ${fmt(median(rs.map((r) => r.rps)))} | ${median(rs.map((r) => r.p50))} | ${median(rs.map((r) => r.p99))} | ${ratio === undefined ? '1.00' : `${fmt(ratio.median, 2)} (${ratio.perRound.map((x) => fmt(x, 2)).join(', ')})`} | ${cpu} | ${main} | ${indexing} |`;
  };
  const table = [
    `| scenario (${rounds} interleaved rounds, ${duration} s, 32 connections) | requests/s (median) | p50 ms | p99 ms | vs KV read (interpolated; each round) | server CPU µs/request, user + kernel | of which the answering thread | event indexing caught up after the run, server CPU µs/request |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row('KV v2 read, file audit device', [...runs.kvBefore, ...runs.kvAfter]),
    ...names.map((n) => row(`KMS ${n}${n === 'GenerateDataKey' ? ' (AES_256)' : ' (32 B)'}, pre-signed`, runs[n], ratios[n], catchUp[n])),
  ].join('\n');
  return { runs, ratios, catchUp, table };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const duration = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 3);
  console.log((await benchKmsHttp({ duration, rounds })).table);
}
