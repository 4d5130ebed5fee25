/**
 * Policy parameter constraints through the real server: a Vault policy that limits what a request
 * may carry is enforced (403), not just loaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

test('denied_parameters and required_parameters refuse requests with 403', async () => {
  const base = server.address;
  const root = server.rootToken;
  const policy = `
path "secret/data/app" {
  capabilities = ["create", "update", "read"]
  denied_parameters = { "options" = [] }
}
path "auth/token/create" {
  capabilities = ["update"]
  required_parameters = ["ttl"]
}`;
  assert.equal((await call(base, 'PUT', 'sys/policies/acl/limited', { token: root, body: { policy } })).status, 204);
  const token = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['limited'] } })).json.auth.client_token as string;

  assert.equal((await call(base, 'POST', 'secret/data/app', { token, body: { data: { k: 'v' } } })).status, 200);
  const withCas = await call(base, 'POST', 'secret/data/app', { token, body: { data: { k: 'w' }, options: { cas: 1 } } });
  assert.deepEqual([withCas.status, withCas.json], [403, { errors: ['permission denied'] }]);
  assert.equal((await call(base, 'GET', 'secret/data/app', { token })).json.data.data.k, 'v', 'the refused write changed nothing');

  assert.equal((await call(base, 'POST', 'auth/token/create', { token, body: { policies: ['limited'] } })).status, 403);
  assert.equal((await call(base, 'POST', 'auth/token/create', { token, body: { policies: ['limited'], ttl: '5m' } })).status, 200);
});

test('a denied policy name cannot reach a child token inside a list or a comma-separated string', async () => {
  const base = server.address;
  const root = server.rootToken;
  const creator = `
path "auth/token/create" {
  capabilities = ["update"]
  denied_parameters = { "policies" = ["admin"] }
}`;
  assert.equal((await call(base, 'PUT', 'sys/policies/acl/creator', { token: root, body: { policy: creator } })).status, 204);
  assert.equal((await call(base, 'PUT', 'sys/policies/acl/admin', { token: root, body: { policy: 'path "secret/*" { capabilities = ["read"] }' } })).status, 204);
  const token = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['creator', 'admin'] } })).json.auth.client_token as string;

  for (const policies of ['admin', ['admin'], ['default', 'admin'], 'default,admin']) {
    const res = await call(base, 'POST', 'auth/token/create', { token, body: { policies } });
    assert.deepEqual([res.status, res.json], [403, { errors: ['permission denied'] }], JSON.stringify(policies));
  }
  assert.equal((await call(base, 'POST', 'auth/token/create', { token, body: { policies: ['creator'] } })).status, 200);
});
