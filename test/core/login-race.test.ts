/**
 * A login that races the disabling of its auth method, through the lifecycle with a real mount
 * table and token store: the disable's revocation pass cannot see a token minted after it, so
 * the lifecycle does not hand out a token whose method is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLifecycle } from '../../src/core/lifecycle.js';
import { Mounts } from '../../src/core/mount-table.js';
import type { CoreServices } from '../../src/core/services.js';
import type { Backend, LogicalRequest } from '../../src/core/index.js';
import { createTokenStore } from '../../src/auth/token/store.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageView } from '../../src/storage/types.js';

test('a login whose auth method is disabled while it is handled gets no token, and none is left behind', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 11, 6));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(9) });
  // The method is disabled (its tokens revoked) after the login was routed, before it answers.
  const login: Backend = {
    unauthenticatedPaths: ['login'],
    handleRequest: async () => {
      await mounts.disable('auth', 'racy');
      return { auth: { policies: ['app'], displayName: 'x', metadata: {}, ttl: 0 } };
    },
  };
  const mounts: Mounts = new Mounts({
    storage, clock, secretEngines: {}, authMethods: { racy: async () => login },
    revokeLogins: async (prefix) => { await tokens.revokeIssuedUnder(prefix); },
  });
  await mounts.enable('auth', { path: 'racy/', type: 'racy' });
  const services = {
    audit: { hooks: { enabled: false, logRequest: async () => undefined, logResponse: async () => undefined } },
    tokens,
    policies: { acl: async () => assert.fail('a login path is not checked against policies') },
    mounts,
    wrapping: {},
    close: async () => undefined,
  } as unknown as CoreServices;
  const req: LogicalRequest = {
    id: 'req-1', operation: 'update', path: 'auth/racy/login', data: {}, clientToken: '', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0,
  };
  const deps = { clock, log: { error() {} } };

  await assert.rejects(runLifecycle(req, services, deps), (err: unknown) =>
    err instanceof SealtrailError && err.code === 'no_route' && err.message === 'no handler for route "auth/racy/login". route entry not found.');
  assert.deepEqual(await tokens.listAccessors(), [], 'no token was left behind');
});

test('a login token never holds response-wrapping or root, whatever the auth method answers (a role stored before the rule)', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 11, 6));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(9) });
  let granted: string[] = [];
  const login: Backend = {
    unauthenticatedPaths: ['login'],
    handleRequest: async () => ({ auth: { policies: granted, displayName: 'x', metadata: {}, ttl: 0 } }),
  };
  const mounts = new Mounts({ storage, clock, secretEngines: {}, authMethods: { plain: async () => login }, revokeLogins: async () => undefined });
  await mounts.enable('auth', { path: 'plain/', type: 'plain' });
  const services = {
    audit: { hooks: { enabled: false, logRequest: async () => undefined, logResponse: async () => undefined } },
    tokens, policies: { acl: async () => assert.fail('a login path is not checked against policies') }, mounts, wrapping: {}, close: async () => undefined,
  } as unknown as CoreServices;
  const req: LogicalRequest = {
    id: 'req-2', operation: 'update', path: 'auth/plain/login', data: {}, clientToken: '', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0,
  };
  const deps = { clock, log: { error() {} } };
  for (const [policies, message] of [[['app', 'Response-Wrapping'], 'cannot assign policy "response-wrapping"'], [['root'], 'auth methods cannot create root tokens']] as const) {
    granted = [...policies];
    await assert.rejects(runLifecycle(req, services, deps), (err: unknown) => err instanceof SealtrailError && err.message === message);
  }
  assert.deepEqual(await tokens.listAccessors(), [], 'no token was minted');
  granted = ['app'];
  const ok = await runLifecycle(req, services, deps);
  assert.deepEqual(ok.issuedAuth?.policies, ['app', 'default']);
});
