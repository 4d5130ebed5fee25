/**
 * Acceptance: an existing Vault client library from npm (node-vault, not our SDK) drives the real
 * server on port 0 — KV v2 versions, delete/undelete/destroy, metadata, tokens, policies, and a
 * restricted token refused with 403 where its policy does not reach.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import NodeVault from 'node-vault';
import { startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let vault: NodeVault.client;

before(async () => {
  server = await startDevServer();
  vault = NodeVault({ apiVersion: 'v1', endpoint: server.address, token: server.rootToken });
});
after(async () => server?.stop());

async function rejectsWithStatus(p: Promise<unknown>, status: number) {
  await assert.rejects(p, (err: any) => {
    assert.equal(err.response?.statusCode, status, `expected HTTP ${status}, got ${err.response?.statusCode}: ${err.message}`);
    return true;
  });
}

test('KV v2: write, read, versions, metadata, delete, undelete, destroy', async () => {
  const w1 = await vault.write('secret/data/app/db', { data: { password: 'hunter2', user: 'app' } });
  assert.equal(w1.data.version, 1);
  const w2 = await vault.write('secret/data/app/db', { data: { password: 'correct horse' }, options: { cas: 1 } });
  assert.equal(w2.data.version, 2);

  const latest = await vault.read('secret/data/app/db');
  assert.deepEqual(latest.data.data, { password: 'correct horse' });
  assert.equal(latest.data.metadata.version, 2);
  const v1 = await vault.read('secret/data/app/db?version=1');
  assert.deepEqual(v1.data.data, { password: 'hunter2', user: 'app' });

  await rejectsWithStatus(vault.write('secret/data/app/db', { data: { x: '1' }, options: { cas: 1 } }), 400);

  const listed = await vault.list('secret/metadata/app');
  assert.deepEqual(listed.data.keys, ['db']);
  const meta = await vault.read('secret/metadata/app/db');
  assert.equal(meta.data.current_version, 2);
  assert.deepEqual(Object.keys(meta.data.versions), ['1', '2']);

  await vault.delete('secret/data/app/db');
  await rejectsWithStatus(vault.read('secret/data/app/db'), 404);
  await vault.write('secret/undelete/app/db', { versions: [2] });
  assert.equal((await vault.read('secret/data/app/db')).data.data.password, 'correct horse');

  await vault.write('secret/destroy/app/db', { versions: [1] });
  const afterDestroy = await vault.read('secret/metadata/app/db');
  assert.equal(afterDestroy.data.versions['1'].destroyed, true);
  await rejectsWithStatus(vault.read('secret/data/app/db?version=1'), 404);

  await vault.delete('secret/metadata/app/db');
  await rejectsWithStatus(vault.read('secret/metadata/app/db'), 404);
});

test('tokens and policies: a restricted token gets 403 outside its policy', async () => {
  // node-vault writes the legacy sys/policy/<name> with `rules`: Vault stores them and warns.
  const added = await vault.addPolicy({ name: 'app-read', rules: 'path "secret/data/team/*" {\n  capabilities = ["read"]\n}\n' });
  assert.deepEqual(added.warnings, ["'rules' is deprecated, please use 'policy' instead"]);
  const policy = await vault.getPolicy({ name: 'app-read' });
  assert.match(policy.rules, /secret\/data\/team/);
  await vault.write('secret/data/team/api', { data: { key: 'k1' } });
  await vault.write('secret/data/other/api', { data: { key: 'k2' } });

  const created = await vault.tokenCreate({ policies: ['app-read'], ttl: '1h', display_name: 'ci' });
  const token = created.auth.client_token;
  // node-vault switches a client to any token it creates (tokenCreate is a "token source").
  vault.token = server.rootToken;
  assert.match(token, /^hvs\./);
  assert.deepEqual(created.auth.policies, ['app-read', 'default']);

  const lookup = await vault.tokenLookup({ token });
  assert.equal(lookup.data.display_name, 'token-ci');
  assert.equal(lookup.data.accessor, created.auth.accessor);

  const restricted = NodeVault({ apiVersion: 'v1', endpoint: server.address, token });
  assert.equal((await restricted.read('secret/data/team/api')).data.data.key, 'k1');
  await rejectsWithStatus(restricted.read('secret/data/other/api'), 403);
  await rejectsWithStatus(restricted.write('secret/data/team/api', { data: { key: 'x' } }), 403);
  await rejectsWithStatus(restricted.read('sys/audit'), 403);
  const self = await restricted.tokenLookupSelf();
  assert.deepEqual(self.data.policies, ['app-read', 'default']);

  await vault.tokenRevoke({ token });
  await rejectsWithStatus(restricted.read('secret/data/team/api'), 403);
});

test('no token or a wrong token is refused with 403', async () => {
  const anon = NodeVault({ apiVersion: 'v1', endpoint: server.address, token: 'hvs.not-a-real-token' });
  await rejectsWithStatus(anon.read('secret/data/team/api'), 403);
});
