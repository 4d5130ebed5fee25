/**
 * A KV v1-style path on a KV v2 mount (`secret/app` rather than `secret/data/app`) through the real
 * server: Vault's 404 with no data and a warning naming the `vault kv` command, which tools read to
 * recognise a versioned mount; the ACL still decides first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

const warning = (command: string) =>
  `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${command}' for this operation.`;

test('a path outside data/, metadata/ and the version actions gets Vault\'s 404 with a warning', async () => {
  const base = server.address;
  const token = server.rootToken;
  const answers: Array<[string, Awaited<ReturnType<typeof call>>]> = [
    ['get', await call(base, 'GET', 'secret/app', { token })],
    ['put', await call(base, 'POST', 'secret/app', { token, body: { password: 'x' } })],
    ['put', await call(base, 'PUT', 'secret/data', { token, body: { password: 'x' } })],
    ['delete', await call(base, 'DELETE', 'secret/app', { token })],
    ['list', await call(base, 'GET', 'secret/?list=true', { token })],
  ];
  for (const [command, r] of answers) {
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.data, null);
    assert.deepEqual(r.json.warnings, [warning(command)]);
    assert.equal(r.json.errors, undefined);
    assert.equal(r.headers.get('content-type'), 'application/json');
  }
  // Nothing was written anywhere.
  assert.equal((await call(base, 'GET', 'secret/data/app', { token })).status, 404);

  // A caller the ACL does not let near the path is refused before any answer about it.
  const policy = 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
  assert.equal((await call(base, 'PUT', 'sys/policies/acl/kv-reader', { token, body: { policy } })).status, 204);
  const reader = (await call(base, 'POST', 'auth/token/create', { token, body: { policies: ['kv-reader'] } })).json.auth.client_token;
  assert.equal((await call(base, 'GET', 'secret/app', { token: reader })).status, 403);
});

test('subkeys/ answers a version\'s structure without its values, to a depth, with its metadata', async () => {
  const base = server.address;
  const token = server.rootToken;
  const data = { user: 'u', db: { password: 'p', replica: { host: 'h' } }, list: [1, 2] };
  assert.equal((await call(base, 'POST', 'secret/data/shape', { token, body: { data } })).status, 200);
  const all = await call(base, 'GET', 'secret/subkeys/shape', { token });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(all.json.data.subkeys, { db: { password: null, replica: { host: null } }, list: null, user: null });
  assert.equal(all.json.data.metadata.version, 1);
  assert.ok(!all.text.includes('"p"') && !all.text.includes('"h"'), 'no value is in the answer');
  assert.deepEqual((await call(base, 'GET', 'secret/subkeys/shape?depth=1', { token })).json.data.subkeys, { db: null, list: null, user: null });
  assert.deepEqual((await call(base, 'GET', 'secret/subkeys/shape?depth=2', { token })).json.data.subkeys, { db: { password: null, replica: null }, list: null, user: null });
  // A deleted version: 404 with its metadata, as a data/ read answers it.
  assert.equal((await call(base, 'DELETE', 'secret/data/shape', { token })).status, 204);
  const deleted = await call(base, 'GET', 'secret/subkeys/shape?version=1', { token });
  assert.equal(deleted.status, 404);
  assert.equal(deleted.json.data.subkeys, null);
  assert.notEqual(deleted.json.data.metadata.deletion_time, '');
  assert.equal((await call(base, 'GET', 'secret/subkeys/none', { token })).status, 404);
  assert.equal((await call(base, 'GET', 'secret/subkeys/shape?depth=-1', { token })).status, 400);
});
