/**
 * Acceptance: a token's lifetime is bounded by the max_lease_ttl of the auth mount that issued it
 * (its tune, else the server's), at creation and at every renewal, as Vault's CalculateTTL bounds
 * it; default_lease_ttl is the ttl of a token that asks for none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
let server: TestServer;
let configDir: string;

before(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'sealtrail-ttl-'));
  const configPath = join(configDir, 'ttl.hcl');
  writeFileSync(configPath, 'default_lease_ttl = "2h"\nmax_lease_ttl = "4h"\n');
  server = await startDevServer({ clock, configPath });
  await call(server.address, 'PUT', 'sys/policies/acl/reader', { token: server.rootToken, body: { policy: 'path "secret/data/*" { capabilities = ["read"] }' } });
});
after(async () => {
  await server?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

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

/** A role for `signer`, then an attestation login of a development enclave it admits. */
async function enclaveLogin(roleName: string, signer: string, role: Record<string, unknown>) {
  const written = await call(server.address, 'POST', `auth/apm/role/${roleName}`, {
    token: server.rootToken, body: { platform: 'nitro', signer_id: signer, token_policies: ['reader'], ...role },
  });
  assert.equal(written.status, 204, written.text);
  const enclave = createDevEnclave({ ca: await loadDevCaFromDir(join(server.dir, 'dev-ca')), clock, pcrs: { 0: 'e3'.repeat(48), 8: signer } });
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  const { correlation_id: correlationId, challenge } = init.json.data.data;
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')) })).toString('base64');
  const login = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: correlationId, message } });
  assert.equal(login.status, 200, login.text);
  return login;
}

test('an attestation login token is held to its auth mount max_lease_ttl, also when it renews', async () => {
  assert.equal((await call(server.address, 'POST', 'sys/auth/apm/tune', { token: server.rootToken, body: { max_lease_ttl: '20m' } })).status, 204);
  const login = await enclaveLogin('ttl-bound', '5b'.repeat(48), { token_ttl: '1h' });
  assert.equal(login.json.auth.lease_duration, 20 * 60);
  const token = login.json.auth.client_token;
  clock.advance(5 * 60 * 1000);
  const renewed = await call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '10h' } });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.json.auth.lease_duration, 15 * 60);
  clock.advance(15 * 60 * 1000);
  assert.equal((await call(server.address, 'POST', 'auth/token/lookup-self', { token })).status, 403);
  await call(server.address, 'POST', 'sys/auth/apm/tune', { token: server.rootToken, body: { max_lease_ttl: 'system' } });
});

test('an attestation login token renews only while a role still admits its enclave with its policies', async () => {
  const signer = '5c'.repeat(48);
  const renew = (token: string) => call(server.address, 'POST', 'auth/token/renew-self', { token, body: { increment: '1h' } });
  const first = (await enclaveLogin('deauthorized', signer, { token_ttl: '1h' })).json.auth.client_token;
  assert.equal((await renew(first)).status, 200);
  // The operator takes the enclave's authorization away: deleting the role...
  assert.equal((await call(server.address, 'DELETE', 'auth/apm/role/deauthorized', { token: server.rootToken })).status, 204);
  const refused = await renew(first);
  assert.deepEqual([refused.status, refused.json], [400, { errors: ['the roles that admitted this token no longer grant it: log in again'] }]);
  // ...or narrowing what it grants.
  const second = (await enclaveLogin('narrowed', signer, { token_ttl: '1h' })).json.auth.client_token;
  await call(server.address, 'POST', 'auth/apm/role/narrowed', { token: server.rootToken, body: { platform: 'nitro', signer_id: signer, token_policies: ['other'] } });
  assert.equal((await renew(second)).status, 400);
  // The token still works until it expires, as Vault's: renewal is what is refused.
  assert.equal((await call(server.address, 'GET', 'auth/token/lookup-self', { token: second })).status, 200);
});

test("an attestation login token renews with its role's current token_ttl: a role shortened since limits its tokens at their next renewal", async () => {
  const signer = '5d'.repeat(48);
  const login = await enclaveLogin('shortened', signer, { token_ttl: '1h' });
  const token = login.json.auth.client_token;
  assert.equal(login.json.auth.lease_duration, 3600);
  const renewSelf = (body: Record<string, unknown>) => call(server.address, 'POST', 'auth/token/renew-self', { token, body });
  assert.equal((await renewSelf({})).json.auth.lease_duration, 3600);
  await call(server.address, 'POST', 'auth/apm/role/shortened', { token: server.rootToken, body: { platform: 'nitro', signer_id: signer, token_policies: ['reader'], token_ttl: '5m' } });
  const renewed = await renewSelf({});
  assert.equal(renewed.status, 200, renewed.text);
  assert.equal(renewed.json.auth.lease_duration, 300);
  // An increment asks for its own TTL, within the mount's max, as in Vault.
  assert.equal((await renewSelf({ increment: '30m' })).json.auth.lease_duration, 1800);
});
