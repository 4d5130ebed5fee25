/**
 * Benchmark (b) of the audit issue: the audit pipeline (Vault entry + HMAC of every secret +
 * Go-exact JSON + append to a file) against a plain `JSON.stringify` + append of the same entries,
 * in the same run and through the same append sink. Reports entries/second for both and the ratio
 * pipeline/baseline (1.0 = auditing costs nothing beyond serialising).
 *
 * Run alone: `node --import tsx bench/audit-pipeline.ts [entries]`.
 */
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
function appendSink(path: string): AuditSink & { flush(): void } {
  const fd = openSync(path, 'a', 0o600);
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    delivery: 'confirmed',
    write(line) {
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

export async function benchAuditPipeline(opts: { entries: number }): Promise<{ pipelinePerSec: number; baselinePerSec: number; ratio: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-'));
  try {
    const inputs = Array.from({ length: opts.entries }, (_, i) => realisticInput(i));
    const plain = inputs.map(plainEntry);
    const options = { format: 'json' };
    const pipelineSink = appendSink(join(dir, 'pipeline.log'));
    const device = createAuditDevice({ path: 'file/', type: 'file', description: '', options, local: false, salt: '3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f' },
      parseCommonOptions(options, { allowAuditLogPrefixing: false }), pipelineSink);
    const baselineSink = appendSink(join(dir, 'baseline.log'));

    const runPipeline = async (n: number) => {
      for (let i = 0; i < n; i++) await device.process(inputs[i], 'response');
      pipelineSink.flush();
    };
    const runBaseline = async (n: number) => {
      for (let i = 0; i < n; i++) await baselineSink.write(JSON.stringify(plain[i]) + '\n');
      baselineSink.flush();
    };
    // Warm both paths up so the JIT treats them alike.
    const warm = Math.min(opts.entries, 2000);
    await runBaseline(warm);
    await runPipeline(warm);

    let t = performance.now();
    await runBaseline(opts.entries);
    const baselineMs = performance.now() - t;
    t = performance.now();
    await runPipeline(opts.entries);
    const pipelineMs = performance.now() - t;
    await pipelineSink.close();
    await baselineSink.close();

    const pipelinePerSec = Math.round(opts.entries / (pipelineMs / 1000));
    const baselinePerSec = Math.round(opts.entries / (baselineMs / 1000));
    return { pipelinePerSec, baselinePerSec, ratio: Math.round((pipelinePerSec / baselinePerSec) * 1000) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const entries = Number(process.argv[2] ?? 20000);
  console.log(JSON.stringify(await benchAuditPipeline({ entries })));
}
