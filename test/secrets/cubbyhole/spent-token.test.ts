/**
 * A cubbyhole and its token's last use: the last request still acts as the token, so a write by
 * an earlier use of the same token that lands meanwhile must not destroy what that request reads
 * (Vault destroys the cubbyhole when the token is revoked, after its last request).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenStore } from '../../../src/auth/token/store.js';
import type { BackendRequest, LogicalRequest, MountEntry, Operation, TokenEntry } from '../../../src/core/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createCubbyholes } from '../../../src/secrets/cubbyhole/index.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

function request(token: TokenEntry, operation: Operation, path: string, data: Record<string, unknown> = {}): BackendRequest {
  const logical = { id: 'r', operation, path: `cubbyhole/${path}`, data, clientToken: 't', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 } as LogicalRequest;
  return { logical, operation, path, data, mount: {} as MountEntry, token };
}

test("a write by an earlier use, landing after the last use was counted, leaves the cubbyhole to the last request", async () => {
  const storage = createMemoryStorage();
  const tokens = createTokenStore({ storage, clock: manualClock(Date.UTC(2026, 0, 1)), hashKey: new Uint8Array(32).fill(3) });
  const { backend } = createCubbyholes(createMemoryStorage(), { isStored: (t) => tokens.isStored(t), unwrapped: async () => undefined });
  const { entry } = await tokens.create({ policies: ['default'], numUses: 3, path: 'auth/token/create' });
  await tokens.use(entry);
  await backend.handleRequest(request(entry, 'create', 'handoff', { v: 'the app token' }));
  // Use 2 (a write) is counted, then use 3, the last, before the write runs.
  await tokens.use(entry);
  assert.equal((await tokens.use(entry)).lastUse, true);
  await backend.handleRequest(request(entry, 'create', 'other', { v: 'x' }));
  const read = await backend.handleRequest(request(entry, 'read', 'handoff'));
  assert.deepEqual(read?.data, { v: 'the app token' });
  // Revoked once its last request is done: a write that lands after that leaves nothing behind.
  await tokens.revokeSpent(entry);
  await backend.handleRequest(request(entry, 'create', 'late', { v: 'y' }));
  assert.equal((await backend.handleRequest(request(entry, 'read', 'late')))?.httpStatus, 404);
});
