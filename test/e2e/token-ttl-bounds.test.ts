/**
 * Acceptance: a token's lifetime is bounded by the max_lease_ttl of the auth mount that issued it
 * (its tune, else the server's), at creation and at every renewal, as Vault's CalculateTTL bounds
 * it; default_lease_ttl is the ttl of a token that asks for none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
let server: TestServer;

before(async () => {
  const configDir = mkdtempSync(join(tmpdir(), 'sealtrail-ttl-'));
  const configPath = join(configDir, 'ttl.hcl');
  writeFileSync(configPath, 'default_lease_ttl = "2h"\nmax_lease_ttl = "4h"\n');
  server = await startDevServer({ clock, configPath });
  await call(server.address, 'PUT', 'sys/policies/acl/reader', { token: server.rootToken, body: { policy: 'path "secret/data/*" { capabilities = ["read"] }' } });
});
after(async () => server?.stop());

const create = (body: Record<string, unknown>) => call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['reader'], ...body } });

test('the server max_lease_ttl caps a created token and its renewals', async () => {
  const created = await create({ ttl: '100h' });
  assert.equal(created.status, 200);
  assert.equal(created.json.auth.lease_duration, 4 * 3600);
  const token = created.json.auth.client_token;
  clock.advance(3600 * 1000);
  const renewed = await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '700h' } });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.json.auth.lease_duration, 3 * 3600);
  clock.advance(3 * 3600 * 1000);
  assert.equal((await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '1h' } })).status, 403);
});

test('the server default_lease_ttl is the ttl of a token that asks for none', async () => {
  const created = await create({});
  assert.equal(created.json.auth.lease_duration, 2 * 3600);
});

test('a tuned auth mount max_lease_ttl caps its tokens, also those created before the tune', async () => {
  const earlier = await create({ ttl: '3h' });
  const token = earlier.json.auth.client_token;
  assert.equal(earlier.json.auth.lease_duration, 3 * 3600);
  const tuned = await call(server.address, 'POST', 'sys/auth/token/tune', { token: server.rootToken, body: { max_lease_ttl: '30m' } });
  assert.equal(tuned.status, 204);
  try {
    const created = await create({ ttl: '3h' });
    assert.equal(created.json.auth.lease_duration, 30 * 60);
    clock.advance(10 * 60 * 1000);
    const renewed = await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '3h' } });
    assert.equal(renewed.status, 200);
    assert.equal(renewed.json.auth.lease_duration, 20 * 60);
    // A wrapping token keeps the wrap's TTL, whatever the wrapped path's mount allows.
    const wrapped = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, headers: { 'x-vault-wrap-ttl': '1h' }, body: { policies: ['reader'] } });
    assert.equal(wrapped.json.wrap_info.ttl, 3600);
    clock.advance(40 * 60 * 1000);
    const unwrapped = await call(server.address, 'POST', 'sys/wrapping/unwrap', { token: wrapped.json.wrap_info.token });
    assert.equal(unwrapped.status, 200);
    assert.equal(unwrapped.json.auth.lease_duration, 30 * 60, 'the answer as it was wrapped');
  } finally {
    await call(server.address, 'POST', 'sys/auth/token/tune', { token: server.rootToken, body: { max_lease_ttl: 'system' } });
  }
});

test('an attestation login token is held to its auth mount max_lease_ttl, also when it renews', async () => {
  const signer = '5b'.repeat(48);
  const role = await call(server.address, 'POST', 'auth/apm/role/ttl-bound', {
    token: server.rootToken, body: { platform: 'nitro', signer_id: signer, token_policies: ['reader'], token_ttl: '1h' },
  });
  assert.equal(role.status, 204, role.text);
  assert.equal((await call(server.address, 'POST', 'sys/auth/apm/tune', { token: server.rootToken, body: { max_lease_ttl: '20m' } })).status, 204);
  const enclave = createDevEnclave({ ca: await loadDevCaFromDir(join(server.dir, 'dev-ca')), clock, pcrs: { 0: 'e3'.repeat(48), 8: signer } });
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  const { correlation_id: correlationId, challenge } = init.json.data.data;
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')) })).toString('base64');
  const login = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: correlationId, message } });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.auth.lease_duration, 20 * 60);
  const token = login.json.auth.client_token;
  clock.advance(5 * 60 * 1000);
  const renewed = await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '10h' } });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.json.auth.lease_duration, 15 * 60);
  clock.advance(15 * 60 * 1000);
  assert.equal((await call(server.address, 'POST', 'auth/token/lookup-self', { token })).status, 403);
});
