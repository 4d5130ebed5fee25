/** Drives the KV backend directly with BackendRequests, over memory storage and a pinned clock. */
import assert from 'node:assert/strict';
import { emptyMountConfig } from '../../../src/core/mount-table.js';
import type { Backend, BackendRequest, LogicalResponse, MountEntry, Operation } from '../../../src/core/index.js';
import { isSealtrailError, type ErrorKind } from '../../../src/errors/index.js';
import { manualClock, type ManualClock } from '../../../src/lib/clock.js';
import { kvBackend } from '../../../src/secrets/kv/index.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

/** 2024-11-14T23:46:27.382Z */
export const T0_MS = 1731627987382;
export const T0 = '2024-11-14T23:46:27.382Z';

export const mount: MountEntry = {
  table: 'secret',
  path: 'secret/',
  type: 'kv',
  description: '',
  accessor: 'kv_0a1b2c3d',
  uuid: '00000000-0000-4000-8000-000000000000',
  config: emptyMountConfig(),
  options: { version: '2' },
  local: false,
  sealWrap: false,
};

export function request(operation: Operation, path: string, data: Record<string, unknown> = {}): BackendRequest {
  return {
    logical: {
      id: '11111111-2222-4333-8444-555555555555',
      operation,
      path: mount.path + path,
      data,
      clientToken: '',
      remoteAddress: '127.0.0.1',
      remotePort: 50000,
      headers: {},
      wrapTtl: 0,
    },
    operation,
    path,
    data,
    mount,
  };
}

export interface Harness {
  backend: Backend;
  storage: ReturnType<typeof createMemoryStorage>;
  clock: ManualClock;
  call(operation: Operation, path: string, data?: Record<string, unknown>): Promise<LogicalResponse | undefined>;
  write(path: string, data: Record<string, unknown>, options?: Record<string, unknown>): Promise<LogicalResponse | undefined>;
  /** Storage contents as key → JSON text, to prove that a failed request changed nothing. */
  snapshot(): Promise<Record<string, string>>;
}

export async function harness(): Promise<Harness> {
  const storage = createMemoryStorage();
  const clock = manualClock(T0_MS);
  const backend = await kvBackend({ mount, storage, clock });
  const call: Harness['call'] = (operation, path, data = {}) => backend.handleRequest(request(operation, path, data));
  return {
    backend,
    storage,
    clock,
    call,
    write: (path, data, options) => call('update', `data/${path}`, options ? { data, options } : { data }),
    async snapshot() {
      const out: Record<string, string> = {};
      for (const key of storage.keys()) out[key] = Buffer.from((await storage.get(key))!).toString('utf8');
      return out;
    },
  };
}

/** Asserts that `promise` rejects with a SealtrailError of this kind and exact message. */
export async function rejects(promise: Promise<unknown>, kind: ErrorKind, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSealtrailError(err), `expected a SealtrailError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(err.message, message);
    return true;
  });
}
