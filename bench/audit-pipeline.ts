/**
 * Benchmark (b) of the audit issue: the audit pipeline (Vault entry + HMAC of every secret +
 * Go-exact JSON + append to a file) against a fair floor measured in the same run and through the
 * same append sink: the same entries with every string HMAC'd by node:crypto (HMAC-SHA256 under
 * the device's salt, hex), then `JSON.stringify` + append. Reports entries/second for both and the
 * ratio pipeline/floor (1.0 = the pipeline costs nothing beyond hashing and serialising). A plain
 * `JSON.stringify` + append of the unhashed entries is reported too, for reference.
 *
 * Run alone: `node --import tsx bench/audit-pipeline.ts [entries]`.
 */
import { createHmac } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAuditDevice } from '../src/audit/device.js';
import { parseCommonOptions } from '../src/audit/device-options.js';
import type { AuditSink } from '../src/audit/devices/types.js';
import type { AuditInput } from '../src/audit/model.js';
import { rfc3339, rfc3339Nano } from '../src/lib/time.js';

/** Appends lines to a file, flushing every 64 KiB (the same for both contenders). */
function appendSink(path: string): AuditSink & { flush(): void; first?: string } {
  const fd = openSync(path, 'a', 0o600);
  let pending: string[] = [];
  let first: string | undefined;
  let size = 0;
  const flush = () => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    delivery: 'confirmed',
    get first() { return first; },
    write(line) {
      first ??= line;
      pending.push(line);
      size += line.length;
      if (size >= 65536) flush();
      return Promise.resolve();
    },
    async reopen() {},
    async close() { flush(); closeSync(fd); },
    flush,
  };
}

/** A KV v2 read response with a token, nested secret data and metadata: a typical audited call. */
function realisticInput(i: number): AuditInput {
  return {
    request: {
      id: `0f8e7d6c-5b4a-4938-8271-${String(i).padStart(12, '0')}`, operation: 'read', path: `secret/data/app/service-${i % 50}`,
      data: {}, clientToken: `hvs.CAESI${i}AbCdEfGhIjKlMnOpQrStUvWxYz0123456789`, remoteAddress: '10.1.2.3', remotePort: 40000 + (i % 2000),
      headers: { 'user-agent': ['vault-client/1.0'] }, wrapTtl: 0,
    },
    operation: 'read',
    mount: {
      table: 'secret', path: 'secret/', type: 'kv', accessor: 'kv_7c1a9e3f',
      config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: ['version'], listingVisibility: '', passthroughRequestHeaders: [] },
    },
    token: {
      idHash: 'x', accessor: `acc${i % 100}xYzAbCdEfGhIjKlMnOpQrS`, policies: ['default', 'app-read'], path: 'auth/approle/login',
      meta: { role_name: 'app' }, displayName: 'approle', numUses: 0, creationTime: 1731624387000, ttl: 3600, explicitMaxTtl: 0,
      period: 0, renewable: true, expireTime: 0, entityId: '9a8b7c6d-0000-4000-8000-000000000001', type: 'service', orphan: false,
    },
    response: {
      data: {
        data: { username: `svc-${i}`, password: `p@ss<${i}>&word`, port: 5432, tls: true, hosts: ['db-1.internal', 'db-2.internal'], opts: { pool: 10, mode: 'rw' } },
        metadata: { version: 3, created_time: '2024-11-14T23:46:27.382Z', deletion_time: '', destroyed: false, custom_metadata: null },
      },
    },
    timeNs: 1731627987382000000n + BigInt(i) * 1000n,
  };
}

/** The same entry as a plain object, for the JSON.stringify baseline (no hashing, no key order). */
function plainEntry(input: AuditInput): Record<string, unknown> {
  const t = input.token!;
  return {
    time: rfc3339Nano(input.timeNs), type: 'response',
    auth: { client_token: input.request.clientToken, accessor: t.accessor, display_name: t.displayName, policies: t.policies, token_policies: t.policies, metadata: t.meta, entity_id: t.entityId, token_type: t.type, token_ttl: t.ttl, token_issue_time: rfc3339(t.creationTime) },
    request: { id: input.request.id, operation: input.operation, mount_point: 'secret/', mount_type: 'kv', mount_accessor: 'kv_7c1a9e3f', client_token: input.request.clientToken, client_token_accessor: t.accessor, namespace: { id: 'root' }, path: input.request.path, remote_address: input.request.remoteAddress, remote_port: input.request.remotePort },
    response: { mount_point: 'secret/', mount_type: 'kv', mount_accessor: 'kv_7c1a9e3f', data: input.response!.data },
  };
}

/** A copy of `value` with every string replaced by its HMAC-SHA256 (hex) under `salt`: the floor's hashing. */
function hmacEveryString(value: unknown, salt: string): unknown {
  if (typeof value === 'string') return `hmac-sha256:${createHmac('sha256', salt).update(value).digest('hex')}`;
  if (Array.isArray(value)) return value.map((v) => hmacEveryString(v, salt));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = hmacEveryString(v, salt);
    return out;
  }
  return value;
}

export interface AuditPipelineResult {
  pipelinePerSec: number;
  /** The fair floor: every string HMAC'd, serialized and appended. */
  floorPerSec: number;
  /** pipeline / floor */
  ratio: number;
  /** `JSON.stringify` + append of the unhashed entries (no hashing: not a floor, for reference). */
  plainPerSec: number;
  plainRatio: number;
  /** HMACs in one entry: the pipeline's (what Vault's format hashes) and the floor's (every string). */
  hmacsPerEntry: { pipeline: number; floor: number };
}

export async function benchAuditPipeline(opts: { entries: number }): Promise<AuditPipelineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  try {
    const inputs = Array.from({ length: opts.entries }, (_, i) => realisticInput(i));
    const plain = inputs.map(plainEntry);
    const options = { format: 'json' };
    const pipelineSink = appendSink(join(dir, 'pipeline.log'));
    const salt = '3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f';
    const device = createAuditDevice({ path: 'file/', type: 'file', description: '', options, local: false, salt },
      parseCommonOptions(options, { allowAuditLogPrefixing: false }), pipelineSink);
    const baselineSink = appendSink(join(dir, 'baseline.log'));
    const floorSink = appendSink(join(dir, 'floor.log'));

    const runPipeline = async (n: number) => {
      for (let i = 0; i < n; i++) await device.process(inputs[i], 'response');
      pipelineSink.flush();
    };
    const runBaseline = async (n: number) => {
      for (let i = 0; i < n; i++) await baselineSink.write(JSON.stringify(plain[i]) + '\n');
      baselineSink.flush();
    };
    // Hashing happens inside the timed loop, as the pipeline's does.
    const runFloor = async (n: number) => {
      for (let i = 0; i < n; i++) await floorSink.write(JSON.stringify(hmacEveryString(plain[i], salt)) + '\n');
      floorSink.flush();
    };
    // Warm every path up so the JIT treats them alike.
    const warm = Math.min(opts.entries, 2000);
    await runBaseline(warm);
    await runFloor(warm);
    await runPipeline(warm);

    // CPU time of this process (the sink writes synchronously), over three interleaved rounds, best of each.
    const cpuMs = async (run: (n: number) => Promise<void>) => {
      const before = process.cpuUsage();
      await run(opts.entries);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    const best = { plain: Infinity, floor: Infinity, pipeline: Infinity };
    for (let round = 0; round < 3; round++) {
      best.plain = Math.min(best.plain, await cpuMs(runBaseline));
      best.floor = Math.min(best.floor, await cpuMs(runFloor));
      best.pipeline = Math.min(best.pipeline, await cpuMs(runPipeline));
    }
    await pipelineSink.close();
    await baselineSink.close();
    await floorSink.close();

    const perSec = (ms: number) => Math.round(opts.entries / (ms / 1000));
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    const pipelinePerSec = perSec(best.pipeline);
    const floorPerSec = perSec(best.floor);
    const plainPerSec = perSec(best.plain);
    const hmacs = (line = '') => line.split('hmac-sha256:').length - 1;
    return {
      pipelinePerSec, floorPerSec, ratio: ratio(pipelinePerSec, floorPerSec), plainPerSec, plainRatio: ratio(pipelinePerSec, plainPerSec),
      hmacsPerEntry: { pipeline: hmacs(pipelineSink.first), floor: hmacs(floorSink.first) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const entries = Number(process.argv[2] ?? 20000);
  console.log(JSON.stringify(await benchAuditPipeline({ entries })));
}
