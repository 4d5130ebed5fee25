/**
 * KV v2 PATCH through the real server: Vault's content-type rule (415 unless
 * application/merge-patch+json), the `patch` capability (neither implied by nor implying
 * `update`), and audit entries whose operation is "patch".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

async function tokenWith(name: string, capabilities: string[]): Promise<string> {
  const policy = `path "secret/data/app" {\n  capabilities = ${JSON.stringify(capabilities)}\n}\n`;
  assert.equal((await call(server.address, 'PUT', `sys/policies/acl/${name}`, { token: server.rootToken, body: { policy } })).status, 204);
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: [name], ttl: '10m' } });
  return created.json.auth.client_token as string;
}

test('PATCH merges into a secret; the body must be declared a merge patch', async () => {
  const base = server.address;
  const token = server.rootToken;
  assert.equal((await call(base, 'POST', 'secret/data/app', { token, body: { data: { user: 'u', password: 'one' } } })).status, 200);

  const wrongType = await call(base, 'PATCH', 'secret/data/app', { token, body: { data: { password: 'two' } } });
  assert.equal(wrongType.status, 415);
  assert.deepEqual(wrongType.json, { errors: ['PATCH requires Content-Type of application/merge-patch+json, got "application/json"'] });

  const patched = await call(base, 'PATCH', 'secret/data/app', { token, headers: MERGE_PATCH, body: { data: { password: 'two', user: null, added: 'x' } } });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.data.version, 2);
  assert.deepEqual((await call(base, 'GET', 'secret/data/app', { token })).json.data.data, { added: 'x', password: 'two' });

  const missing = await call(base, 'PATCH', 'secret/data/none', { token, headers: MERGE_PATCH, body: { data: { a: 'b' } } });
  assert.equal(missing.status, 404);
  const broken = await call(base, 'PATCH', 'secret/data/app', { token, headers: MERGE_PATCH, rawBody: '{"data":' });
  assert.equal(broken.status, 400);

  // Both entries of the PATCH are audited as "patch", the secret values HMAC'd.
  const entries = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const ours = entries.filter((e) => e.request?.id === patched.json.request_id);
  assert.deepEqual(ours.map((e) => [e.type, e.request.operation]), [['request', 'patch'], ['response', 'patch']]);
  assert.match(ours[0].request.data.data.password, /^hmac-sha256:[0-9a-f]{64}$/);
});

test('the patch capability allows PATCH and nothing else; update does not allow PATCH', async () => {
  const base = server.address;
  const patcher = await tokenWith('patcher', ['patch']);
  const writer = await tokenWith('writer', ['update']);

  const byPatcher = await call(base, 'PATCH', 'secret/data/app', { token: patcher, headers: MERGE_PATCH, body: { data: { password: 'three' } } });
  assert.equal(byPatcher.status, 200, byPatcher.text);
  assert.equal((await call(base, 'POST', 'secret/data/app', { token: patcher, body: { data: { password: 'four' } } })).status, 403);
  assert.equal((await call(base, 'GET', 'secret/data/app', { token: patcher })).status, 403);

  assert.equal((await call(base, 'PATCH', 'secret/data/app', { token: writer, headers: MERGE_PATCH, body: { data: { password: 'five' } } })).status, 403);
  assert.equal((await call(base, 'POST', 'secret/data/app', { token: writer, body: { data: { password: 'six' } } })).status, 200);

  const caps = await call(base, 'POST', 'sys/capabilities-self', { token: patcher, body: { path: 'secret/data/app' } });
  assert.deepEqual(caps.json.capabilities, ['patch']);
});

test('PATCH on metadata/ merges the settings, custom_metadata key by key, as `vault kv metadata patch` sends it', async () => {
  const base = server.address;
  const token = server.rootToken;
  assert.equal((await call(base, 'POST', 'secret/data/meta-app', { token, body: { data: { k: 'v' } } })).status, 200);
  assert.equal((await call(base, 'POST', 'secret/metadata/meta-app', { token, body: { max_versions: 5, custom_metadata: { owner: 'a', team: 'b' } } })).status, 204);
  const patched = await call(base, 'PATCH', 'secret/metadata/meta-app', {
    token, headers: MERGE_PATCH, body: { max_versions: 7, custom_metadata: { owner: null, tier: 'gold' } },
  });
  assert.equal(patched.status, 204, patched.text);
  const meta = (await call(base, 'GET', 'secret/metadata/meta-app', { token })).json.data;
  assert.deepEqual([meta.max_versions, meta.custom_metadata, meta.current_version], [7, { team: 'b', tier: 'gold' }, 1]);
  assert.equal((await call(base, 'PATCH', 'secret/metadata/meta-app', { token, headers: MERGE_PATCH, body: { custom_metadata: null } })).status, 204);
  assert.equal((await call(base, 'GET', 'secret/metadata/meta-app', { token })).json.data.custom_metadata, null);

  const missing = await call(base, 'PATCH', 'secret/metadata/meta-none', { token, headers: MERGE_PATCH, body: { max_versions: 1 } });
  assert.equal(missing.status, 404);
  assert.equal((await call(base, 'GET', 'secret/metadata/meta-none', { token })).status, 404, 'nothing was created');
  // The patch capability, not update, as on data/.
  const policy = 'path "secret/metadata/meta-app" {\n  capabilities = ["read", "update"]\n}\n';
  assert.equal((await call(base, 'PUT', 'sys/policies/acl/meta-updater', { token, body: { policy } })).status, 204);
  const updater = (await call(base, 'POST', 'auth/token/create', { token, body: { policies: ['meta-updater'] } })).json.auth.client_token;
  assert.equal((await call(base, 'PATCH', 'secret/metadata/meta-app', { token: updater, headers: MERGE_PATCH, body: { max_versions: 2 } })).status, 403);
});
