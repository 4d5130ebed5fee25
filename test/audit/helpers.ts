/** Test helpers: an in-memory sink (optionally failing or blocking), fixed inputs, deep-freeze. */
import type { AuditSink, SinkFactory } from '../../src/audit/devices/types.js';
import type { AuditInput } from '../../src/audit/model.js';
import type { MountEntry, TokenEntry } from '../../src/core/index.js';

export interface MemorySink extends AuditSink {
  lines: string[];
  /** When set, writes reject with this message. */
  failWith?: string;
  /** With `failWith`: the system error code (EMFILE, ...) the rejection's cause carries. */
  failCode?: string;
  /** When true, writes stay pending until release(). */
  blocked: boolean;
  release(): void;
  closed: boolean;
  reopens: number;
}

/** As a device's error: a message of its own, caused by the system's error when there is one. */
function failure(message: string, code: string | undefined): Error {
  return new Error(message, code === undefined ? undefined : { cause: Object.assign(new Error(code), { code }) });
}

/** Keeps lines in call order; a blocked sink queues them and writes them in order on release. */
export function memorySink(): MemorySink {
  const pending: { line: string; done: () => void }[] = [];
  const sink: MemorySink = {
    delivery: 'confirmed',
    lines: [],
    blocked: false,
    closed: false,
    reopens: 0,
    write(line) {
      if (sink.failWith) return Promise.reject(failure(sink.failWith, sink.failCode));
      if (sink.blocked || pending.length > 0) {
        return new Promise<void>((done) => pending.push({ line, done }));
      }
      sink.lines.push(line);
      return Promise.resolve();
    },
    release() {
      sink.blocked = false;
      for (const p of pending.splice(0)) {
        sink.lines.push(p.line);
        p.done();
      }
    },
    async reopen() { sink.reopens++; },
    async close() { sink.closed = true; },
  };
  return sink;
}

/**
 * A `memory` device type for the manager: options `fail=<msg>` makes every write fail, with
 * `fail_code=<errno code>` as the failure's cause.
 */
export function memorySinkFactory(): { factory: SinkFactory; sinks: Map<string, MemorySink> } {
  const sinks = new Map<string, MemorySink>();
  const factory: SinkFactory = async (ctx) => {
    const sink = memorySink();
    if (ctx.options.fail) sink.failWith = ctx.options.fail;
    if (ctx.options.fail_code) sink.failCode = ctx.options.fail_code;
    sinks.set(ctx.path, sink);
    return sink;
  };
  return { factory, sinks };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A structural snapshot that also captures binary contents, to compare before/after. */
export function snapshot(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? `buf:${JSON.stringify(v)}` : typeof v === 'bigint' ? `big:${v}` : v);
}

export const TIME_NS = 1731627987123456789n; // 2024-11-14T23:46:27.123456789Z

export const kvMount: Pick<MountEntry, 'path' | 'type' | 'accessor' | 'table' | 'config'> = {
  table: 'secret',
  path: 'secret/',
  type: 'kv',
  accessor: 'kv_1a2b3c4d',
  config: {
    defaultLeaseTtl: 0, maxLeaseTtl: 0, listingVisibility: '', passthroughRequestHeaders: [],
    auditNonHmacRequestKeys: ['username', 'tags', 'note'],
    auditNonHmacResponseKeys: ['version', 'created_time'],
  },
};

export const token: TokenEntry = {
  idHash: 'deadbeef', accessor: 'bar', policies: ['default', 'kv-read'], path: 'auth/userpass/login/alice',
  meta: { username: 'alice', department: 'eng' }, displayName: 'userpass-alice', numUses: 0,
  creationTime: 1731624387123, ttl: 3600, explicitMaxTtl: 0, period: 0, renewable: true, expireTime: 0,
  entityId: 'e7f0a1b2-0000-4000-8000-000000000001', type: 'service', orphan: false,
};

/** A KV write with nested data, lists, numbers, booleans, null, binary and exempt keys. */
export function kvWriteInput(): AuditInput {
  return {
    request: {
      id: '5a2c1f9e-0d6b-4c1e-9f3a-7b8c9d0e1f2a',
      operation: 'update',
      path: 'secret/data/app',
      data: {
        data: {
          password: 's3cr3t', username: 'alice', tags: ['x', 'bar'], note: 'a<b>&c', count: 3, ratio: 0.5,
          enabled: true, empty: null, blob: Buffer.from('hi'), profile: { username: 'foo', pin: 'hunter2' },
        },
        options: { cas: 0 },
      },
      clientToken: 'foo',
      remoteAddress: '127.0.0.1',
      remotePort: 51234,
      headers: { 'x-request-source': ['ci'], 'x-secret-header': ['foo'], 'user-agent': ['curl'] },
      wrapTtl: 0,
    },
    operation: 'update',
    mount: kvMount,
    token,
    policyResults: { allowed: true, grantingPolicies: ['kv-read'] },
    timeNs: TIME_NS,
  };
}

export function kvResponseInput(): AuditInput {
  return {
    ...kvWriteInput(),
    response: {
      data: {
        data: { password: 's3cr3t', username: 'alice' },
        metadata: { version: 2, created_time: '2024-11-14T23:46:27.1Z', deletion_time: '', destroyed: false },
      },
      warnings: ['w<1>'],
    },
  };
}

/** HMACs with salt "foo" (checked against openssl). */
export const H = {
  foo: 'hmac-sha256:08ba357e274f528065766c770a639abf6809b39ccfd37c2a3157c7f51954da0a',
  bar: 'hmac-sha256:f9320baf0249169e73850cd6156ded0106e2bb6ad8cab01b7bbbebe6d1065317',
  hiBase64: 'hmac-sha256:de190613bdf5faeb9ae60bf241c54a536bcae1f7de42b23522193df89157bd1e',
  s3cr3t: 'hmac-sha256:0bd7015f473573ff1352525edc23ede71bc34d43e5de1a0a94c4c5b0d8c0d183',
  hunter2: 'hmac-sha256:e311092eb5976338e7226503b8267c16bc53225ff40d155acca437972eb02773',
  alice: 'hmac-sha256:efa517a5ee7a7249cff2b4eca4a32067ca757007418055ccbf2a8297a072a50e',
  empty: 'hmac-sha256:683716d9d7f82eed174c6caebe086ee93376c79d7c61dd670ea00f7f8d6eb0a8',
};

export const silentLog = { warn() {}, info() {}, error() {} };

export function recordingLog(): { lines: { level: string; obj: object; msg: string }[]; warn(o: object, m: string): void; info(o: object, m: string): void; error(o: object, m: string): void } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}
