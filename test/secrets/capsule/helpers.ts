/** Drives the capsule backend directly with BackendRequests, over memory storage and a pinned clock. */
import { explicitToken } from '../../../src/secrets/capsule/tokenize.js';
import assert from 'node:assert/strict';
import type { BackendRequest, LogicalResponse, MountEntry, Operation, TokenEntry } from '../../../src/core/index.js';
import { isSealtrailError, type ErrorKind } from '../../../src/errors/index.js';
import { manualClock, type ManualClock } from '../../../src/lib/clock.js';
import { createCapsuleBackend, type CapsuleBackend } from '../../../src/secrets/capsule/index.js';
import type { CapsuleClient } from '../../../src/sdk/capsule.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';

/** 2024-03-21T03:20:32.000Z */
export const T0_MS = 1710991232000;
export const T0 = '2024-03-21T03:20:32Z';

export const mount: MountEntry = {
  table: 'secret',
  path: 'capsule/',
  type: 'capsule',
  description: '',
  accessor: 'capsule_0a1b2c3d',
  uuid: '6f1c9a52-3d4e-4f60-8a7b-9c0d1e2f3a4b',
  config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] },
  options: {},
  local: false,
  sealWrap: false,
};

export function token(accessor: string, displayName = 'token-app', entityId = ''): TokenEntry {
  return {
    idHash: 'x', accessor, policies: ['default'], path: 'auth/token/create', meta: {}, displayName, numUses: 0,
    creationTime: T0_MS, ttl: 3600, explicitMaxTtl: 0, period: 0, renewable: true, expireTime: 0, entityId,
    type: 'service', orphan: false,
  };
}

export const APP = token('acc-app-1', 'token-app', 'ent-42');

/** The id every request of the harness has (capsule log records made for it carry it as `request_id`). */
export const REQUEST_ID = '11111111-2222-4333-8444-555555555555';

export function request(operation: Operation, path: string, data: Record<string, unknown> = {}, tok: TokenEntry | undefined = APP): BackendRequest {
  return {
    logical: {
      id: REQUEST_ID, operation, path: mount.path + path, data, clientToken: '',
      remoteAddress: '127.0.0.1', remotePort: 50000, headers: {}, wrapTtl: 0,
    },
    operation,
    path,
    data,
    mount,
    token: tok,
  };
}

export interface Harness {
  backend: CapsuleBackend;
  storage: ReturnType<typeof createMemoryStorage>;
  clock: ManualClock;
  call(operation: Operation, path: string, data?: Record<string, unknown>, tok?: TokenEntry): Promise<LogicalResponse | undefined>;
  /** `call` and return `data`. */
  data(operation: Operation, path: string, data?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** An in-process client for the SDK: paths are full (`capsule/...`) as over HTTP. */
  client: CapsuleClient;
  accessLog(query?: Record<string, unknown>): Promise<Array<Record<string, unknown>>>;
  controlLog(query?: Record<string, unknown>): Promise<Array<Record<string, unknown>>>;
  /** The explicit token of `value` under the domain's key: how summaries show a value from the data. */
  tokenOf(value: string): Promise<string>;
}

export async function harness(options: { storage?: Storage; wrap?: (s: ReturnType<typeof createMemoryStorage>) => Storage } = {}): Promise<Harness> {
  const storage = createMemoryStorage();
  const clock = manualClock(T0_MS);
  const backend = createCapsuleBackend({ mount, storage: options.wrap ? options.wrap(storage) : storage, clock });
  const call: Harness['call'] = (operation, path, data = {}, tok = APP) => backend.handleRequest(request(operation, path, data, tok));
  const data: Harness['data'] = async (operation, path, body) => (await call(operation, path, body))?.data ?? {};
  const rel = (p: string) => {
    assert.ok(p.startsWith(mount.path), `path outside the mount: ${p}`);
    return p.slice(mount.path.length);
  };
  const client: CapsuleClient = {
    read: async (p, q) => call('read', rel(p), (q ?? {}) as Record<string, unknown>),
    write: async (p, d) => call('update', rel(p), d),
    list: async (p) => call('list', rel(p)),
    delete: async (p) => call('delete', rel(p)),
  };
  return {
    backend, storage, clock, call, data, client,
    accessLog: async (q = {}) => (await data('read', 'log/access', q)).results as Array<Record<string, unknown>>,
    controlLog: async (q = {}) => (await data('read', 'log/control', q)).results as Array<Record<string, unknown>>,
    tokenOf: async (value) => {
      const ring = JSON.parse(Buffer.from((await storage.get('keys/ring'))!).toString('utf8')) as { tokenization_key: string };
      return explicitToken(Buffer.from(ring.tokenization_key, 'base64'), value);
    },
  };
}

/** Asserts that `promise` rejects with a SealtrailError of this kind and exact message. */
export async function rejects(promise: Promise<unknown>, kind: ErrorKind, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSealtrailError(err), `expected a SealtrailError, got ${String(err)}`);
    assert.equal(err.message, message);
    assert.equal(err.kind, kind);
    return true;
  });
}

export const EMPTY_SUMMARY = { unique_tags: [], elided_tags: [] };

export const piiTag = (kind: string, source: string) => ({
  name: `tag.sealtrail.io/pii/${kind}`, value: '', type: 'unary', source, hook_version: '1.0.0',
});
