/**
 * Acceptance: token TTL expiry, num_uses and the bounds on metadata and on chains of children are
 * enforced through the real HTTP server, with an injected clock instead of sleeps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
let server: TestServer;

before(async () => {
  server = await startDevServer({ clock });
  await call(server.address, 'POST', 'secret/data/app', { token: server.rootToken, body: { data: { v: '1' } } });
  await call(server.address, 'PUT', 'sys/policies/acl/reader', { token: server.rootToken, body: { policy: 'path "secret/data/*" { capabilities = ["read"] }' } });
});
after(async () => server?.stop());

test('a token stops working at its TTL', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], ttl: '10m' } });
  const token = created.json.auth.client_token;
  assert.equal(created.json.auth.lease_duration, 600);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 200);
  clock.advance(9 * 60 * 1000);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 200);
  clock.advance(61 * 1000);
  const expired = await call(server.address, 'GET', 'secret/data/app', { token });
  assert.equal(expired.status, 403);
  assert.deepEqual(expired.json, { errors: ['permission denied'] });
});

test('renew extends a token, capped by explicit_max_ttl', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], ttl: '10m', explicit_max_ttl: '15m' } });
  const token = created.json.auth.client_token;
  clock.advance(8 * 60 * 1000);
  const renewed = await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '10m' } });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.json.auth.lease_duration, 7 * 60);
  clock.advance(7 * 60 * 1000 + 1000);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 403);
});

test('num_uses: a token with 2 uses works twice, then is revoked', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], num_uses: 2 } });
  const token = created.json.auth.client_token;
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 200);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 200);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 403);
  const lookup = await call(server.address, 'POST', 'auth/token/lookup-accessor', { token: server.rootToken, body: { accessor: created.json.auth.accessor } });
  assert.equal(lookup.status, 400);
});

test('num_uses: a refused request spends a use too, as in Vault', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], num_uses: 2 } });
  const token = created.json.auth.client_token;
  // Outside the policy, then a path no mount serves: each is a request of the token.
  assert.equal((await call(server.address, 'GET', 'sys/policies/acl/reader', { token })).status, 403);
  assert.equal((await call(server.address, 'GET', 'nowhere/at/all', { token })).status, 403);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token })).status, 403);
});

test('num_uses: lookup-self spends a use and shows what is left, -1 on the last (revocation pending), as Vault does', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], num_uses: 3 } });
  const token = created.json.auth.client_token;
  const shown = [];
  for (let i = 0; i < 3; i++) shown.push((await call(server.address, 'GET', 'auth/token/lookup-self', { token })).json.data.num_uses);
  assert.deepEqual(shown, [2, 1, -1]);
  assert.equal((await call(server.address, 'GET', 'auth/token/lookup-self', { token })).status, 403);
});

test('a child token cannot carry megabytes of metadata into every audit entry it makes', async () => {
  const meta = { blob: 'x'.repeat(1024 * 1024) };
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], meta } });
  assert.deepEqual([created.status, created.json], [400, { errors: ['token metadata is limited to 64 keys and 16384 bytes of keys and values'] }]);
  const named = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], display_name: 'n'.repeat(4096) } });
  assert.deepEqual([named.status, named.json], [400, { errors: ['display_name is limited to 1024 bytes'] }]);
  // The bound is on what the caller sends: 1,024 bytes pass, stored as `token-<name>`.
  const longest = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], display_name: 'd'.repeat(1024) } });
  assert.equal(longest.status, 200);
  const stored = await call(server.address, 'GET', 'auth/token/lookup-self', { token: longest.json.auth.client_token });
  assert.equal(stored.json.data.display_name, `token-${'d'.repeat(1024)}`);
  const over = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], display_name: 'd'.repeat(1025) } });
  assert.deepEqual([over.status, over.json], [400, { errors: ['display_name is limited to 1024 bytes'] }]);
});

test('a low-privilege token cannot grow a chain of children deeper than the revocation of its top reaches', async () => {
  await call(server.address, 'PUT', 'sys/policies/acl/spawner', { token: server.rootToken, body: { policy: 'path "auth/token/create" { capabilities = ["update"] }' } });
  // An orphan: the top of its own chain.
  const top = (await call(server.address, 'POST', 'auth/token/create-orphan', { token: server.rootToken, body: { policies: ['spawner', 'reader'], ttl: '1h' } })).json.auth.client_token;
  let leaf = top;
  for (let ancestors = 1; ancestors <= 64; ancestors++) {
    const child = await call(server.address, 'POST', 'auth/token/create', { token: leaf, body: {} });
    assert.equal(child.status, 200, child.text);
    leaf = child.json.auth.client_token;
  }
  const deeper = await call(server.address, 'POST', 'auth/token/create', { token: leaf, body: {} });
  assert.deepEqual([deeper.status, deeper.json], [400, { errors: ['a token may have at most 64 ancestors: create it from a token nearer its root, or as an orphan'] }]);

  assert.equal((await call(server.address, 'POST', 'auth/token/revoke', { token: server.rootToken, body: { token: top } })).status, 204);
  assert.equal((await call(server.address, 'GET', 'secret/data/app', { token: leaf })).status, 403, 'the deepest descendant ends with its top');
});
