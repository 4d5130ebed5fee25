/** Disabling an auth method logs out everyone it logged in, as in Vault. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mounts } from '../../src/core/mount-table.js';
import type { Backend } from '../../src/core/index.js';
import { createTokenStore } from '../../src/auth/token/store.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageView } from '../../src/storage/types.js';

const backend: Backend = { handleRequest: async () => ({}) };
const factory = async () => backend;

function setup(revokeLogins?: (prefix: string) => Promise<void>) {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 11, 6));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(5) });
  const mounts = new Mounts({
    storage, clock, secretEngines: { kv: factory }, authMethods: { apm: factory },
    revokeLogins: revokeLogins ?? (async (prefix) => { await tokens.revokeIssuedUnder(prefix); }),
  });
  return { tokens, mounts };
}

test('disabling an auth method revokes the tokens its logins issued, and their children', async () => {
  const { tokens, mounts } = setup();
  await mounts.enable('auth', { path: 'apm/', type: 'apm' });
  await mounts.enable('auth', { path: 'apm2/', type: 'apm' });
  const login = await tokens.create({ policies: ['app'], path: 'auth/apm/v0/attest/nitro/auth', noParent: true });
  const child = await tokens.create({ policies: ['app'], path: 'auth/token/create', parent: login.entry });
  const elsewhere = await tokens.create({ policies: ['app'], path: 'auth/apm2/v0/attest/nitro/auth', noParent: true });
  const created = await tokens.create({ policies: ['app'], path: 'auth/token/create' });

  await mounts.disable('auth', 'apm');
  assert.equal(mounts.route('auth/apm/role/x'), undefined);
  assert.equal(await tokens.lookup(login.id), undefined, 'the login token is revoked');
  assert.equal(await tokens.lookup(child.id), undefined, 'so is its child');
  assert.ok(await tokens.lookup(elsewhere.id), 'a token of another auth mount (apm2/ shares the prefix apm) lives on');
  assert.ok(await tokens.lookup(created.id));
});

test('disabling a secrets engine revokes nothing; a failed revocation leaves the auth method enabled', async () => {
  const asked: string[] = [];
  const { mounts } = setup(async (prefix) => {
    asked.push(prefix);
    throw new Error('storage down');
  });
  await mounts.enable('secret', { path: 'team/', type: 'kv' });
  await mounts.disable('secret', 'team');
  assert.deepEqual(asked, []);

  await mounts.enable('auth', { path: 'apm/', type: 'apm' });
  await assert.rejects(mounts.disable('auth', 'apm'), /storage down/);
  assert.deepEqual(asked, ['auth/apm/']);
  assert.equal(mounts.route('auth/apm/role/x')?.entry.path, 'auth/apm/', 'still mounted, to be disabled again');
});
