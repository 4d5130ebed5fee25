// Where a KMS call's time goes on the thread that answers requests, step by step: each step adds
// one layer to the one before it, on the same dev server (its file audit device, no journal).
//
//   KV v2 read                 GET, the KV section's audited read
//   Vault POST                 a small JSON body through the Vault edge (sys/audit-hash/file)
//   KMS, refused signature     a signed call whose signature is wrong: SigV4 computed in full,
//                              the refusal audited, no key touched and no CloudTrail event
//   KMS DescribeKey            a signed call answered with its CloudTrail event, no cryptography
//   KMS Encrypt                the same with the key's AES-GCM and a ciphertext blob
//
// Each call is signed once and replayed by autocannon (as in kms-http.mjs); rounds interleave the
// steps, and each figure is the median over rounds of the main thread's CPU per request (/proc).
//
//   npm run build && node bench/kms-steps.mjs [seconds per run] [rounds]
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { SignatureV4 } from '@smithy/signature-v4';
import { api, fmt, startChild, threadCpu } from './lib.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The hash the signer asks for, on node:crypto (HMAC when given a secret). */
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.h.update(data); }
  digest() { return Promise.resolve(new Uint8Array(this.h.digest())); }
}

export async function benchKmsSteps({ duration = 4, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-kms-steps-'));
  writeFileSync(join(dir, 'no-journal.hcl'), 'journal {\n  enabled = false\n}\n');
  const server = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, `-config=${join(dir, 'no-journal.hcl')}`, '-log-level=error'], { until: /AWS Region: .*\n/ });
  try {
    const { address, token } = server;
    const printed = (label) => new RegExp(`${label}: (\\S+)`).exec(server.banner)[1];
    const credentials = { accessKeyId: printed('AWS Access Key'), secretAccessKey: printed('AWS Secret Key') };
    const url = new URL(address);
    const signer = new SignatureV4({ credentials, region: printed('AWS Region'), service: 'kms', sha256: Sha256 });
    const signed = async (target, body) => {
      const text = JSON.stringify(body);
      const s = await signer.sign({
        method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', query: {},
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` }, body: text,
      });
      return { url: `${address}/`, method: 'POST', headers: s.headers, body: text };
    };
    await api(address, token, 'POST', 'secret/data/bench', { data: { password: 'bench-value', user: 'svc-bench' } });
    const create = await signed('CreateKey', { Description: 'bench' });
    const keyId = (await (await fetch(create.url, create)).json()).KeyMetadata.KeyId;
    const encrypt = await signed('Encrypt', { KeyId: keyId, Plaintext: Buffer.alloc(32, 7).toString('base64'), EncryptionContext: { bench: 'kms' } });
    const lastHex = encrypt.headers.authorization.slice(-1);
    const steps = [
      { name: 'KV v2 read', call: { url: `${address}/v1/secret/data/bench`, headers: { 'x-vault-token': token } } },
      { name: 'Vault POST (sys/audit-hash/file)', call: { url: `${address}/v1/sys/audit-hash/file`, method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ input: 'bench input' }) } },
      { name: 'KMS, refused signature', refused: true, call: { ...encrypt, headers: { ...encrypt.headers, authorization: encrypt.headers.authorization.slice(0, -1) + (lastHex === '0' ? '1' : '0') } } },
      { name: 'KMS DescribeKey', call: await signed('DescribeKey', { KeyId: keyId }) },
      { name: 'KMS Encrypt (32 B)', call: encrypt },
    ];
    const pid = server.child.pid;
    const run = async (step, seconds) => {
      const before = threadCpu(pid);
      const r = await autocannon({ ...step.call, duration: seconds, connections: 32 });
      const after = threadCpu(pid);
      const total = r.requests.total;
      const expected = step.refused ? r['4xx'] === total : r.non2xx === 0;
      if (!expected || r.errors > 0) throw new Error(`${step.name}: ${r.non2xx} non-2xx (${r['4xx']} 4xx) and ${r.errors} errors of ${total}`);
      return { rps: r.requests.average, mainCpu: before && after ? (after.user + after.system - before.user - before.system) / total : NaN };
    };
    for (const step of steps) await run(step, Math.min(duration, 2));
    const results = steps.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, step] of steps.entries()) results[i].push(await run(step, duration));
    }
    const cpu = results.map((rs) => median(rs.map((r) => r.mainCpu)));
    const table = [
      `| step (${rounds} interleaved rounds, ${duration} s, 32 connections) | requests/s (median) | answering thread CPU µs/request | added by the step |`,
      '|---|---:|---:|---:|',
      ...steps.map((s, i) => `| ${s.name} | ${fmt(median(results[i].map((r) => r.rps)))} | ${fmt(cpu[i], 1)} | ${i === 0 ? '' : fmt(cpu[i] - cpu[i - 1], 1)} |`),
    ].join('\n');
    return { table, cpu };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const duration = Number(process.argv[2] ?? 4);
  const rounds = Number(process.argv[3] ?? 3);
  console.log((await benchKmsSteps({ duration, rounds })).table);
}
