import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mounts } from '../../src/core/mount-table.js';
import type { Backend, MountEntry } from '../../src/core/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { getJson, putJson, type Storage } from '../../src/storage/types.js';

const backend: Backend = { handleRequest: async () => ({}) };
const factory = async () => backend;
const mountsOver = (storage: Storage) => new Mounts({ storage, clock: manualClock(0), secretEngines: { kv: factory }, authMethods: { apm: factory }, revokeLogins: async () => {} });

test('new mounts get Vault\'s accessors: <type>_<8 hex>, auth_<type>_<8 hex> for auth methods', async () => {
  const m = mountsOver(createMemoryStorage());
  assert.match((await m.addBuiltin('auth', 'auth/token/', 'token', backend, '')).accessor, /^auth_token_[0-9a-f]{8}$/);
  assert.match((await m.enable('secret', { path: 'team/', type: 'kv' })).accessor, /^kv_[0-9a-f]{8}$/);
  assert.match((await m.enable('auth', { path: 'apm/', type: 'apm' })).accessor, /^auth_apm_[0-9a-f]{8}$/);
});

test('a stored mount keeps the accessor it was given, whatever its form', async () => {
  const storage = createMemoryStorage();
  await mountsOver(storage).enable('secret', { path: 'team/', type: 'kv' });
  const stored = (await getJson<MountEntry[]>(storage, 'core-mounts/secret'))!;
  await putJson(storage, 'core-mounts/secret', stored.map((e) => ({ ...e, accessor: 'kv_x7k2m9qa' })));
  const reloaded = mountsOver(storage);
  await reloaded.load();
  assert.equal(reloaded.route('team/data/a')?.entry.accessor, 'kv_x7k2m9qa');
});
