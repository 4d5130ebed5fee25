/**
 * The newer fields of Vault's audit entries through the real server: `auth.policy_results` (which
 * policies granted the request), `request.client_id` (the entity, or Vault's hash of the token's
 * policies), the mount's class and running version, and `auth.entity_created` on the login that
 * created the entity.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevEnclave, loadDevCaFromDir, type DevEnclave } from '../../src/attestation/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

type Entry = Record<string, any>;
let server: TestServer;
let root: string;
let enclave: DevEnclave;
const SIGNER = '7c'.repeat(48);
const IMAGE = 'd4'.repeat(48);

before(async () => {
  server = await startDevServer();
  root = server.rootToken;
  enclave = createDevEnclave({ ca: await loadDevCaFromDir(join(server.dir, 'dev-ca')), clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  const role = await call(server.address, 'POST', 'auth/apm/role/fields', { token: root, body: { platform: 'nitro', signer_id: SIGNER, token_policies: 'fields-read' } });
  assert.equal(role.status, 204, role.text);
  const policy = await call(server.address, 'PUT', 'sys/policies/acl/fields-read', { token: root, body: { policy: 'path "secret/data/fields/*" { capabilities = ["read"] }' } });
  assert.equal(policy.status, 204);
});
after(async () => server?.stop());

const auditLines = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const entriesOf = (id: string) => auditLines().filter((e) => e.request?.id === id);
const granted = (...names: string[]) => ({ allowed: true, granting_policies: names.map((name) => ({ name, namespace_id: 'root', type: 'acl' })) });

/** One attestation login over HTTP; returns its auth response and the request id of the login. */
async function attestLogin() {
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  assert.equal(init.status, 200, init.text);
  const { correlation_id, challenge } = init.json.data.data;
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')) })).toString('base64');
  const res = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id, message } });
  assert.equal(res.status, 200, res.text);
  return { auth: res.json.auth, requestId: res.json.request_id as string };
}

test('an allowed request names its granting policy; client_id is Vault\'s hash of the sorted policies', async () => {
  const created = await call(server.address, 'POST', 'auth/token/create', { token: root, body: { policies: ['fields-read'] } });
  const token = created.json.auth.client_token;
  const r = await call(server.address, 'GET', 'secret/data/fields/none', { token });
  assert.equal(r.status, 404);
  const entries = auditLines().filter((e) => e.request?.path === 'secret/data/fields/none');
  assert.deepEqual(entries.map((e) => e.type), ['request', 'response']);
  for (const e of entries) {
    assert.deepEqual(e.auth.policy_results, granted('fields-read'));
    // SHA-256 of "default" U+007F "fields-read" U+0000 "root", base64: computed by hand from
    // Vault's TokenEntry.CreateClientID construction.
    assert.equal(e.request.client_id, 't/T1HDXtxbU9TFzvUA+7+fVjeDFmKG+T5/OOHL0ht4Y=');
  }
});

test('the root token: policy_results granted by root, client_id the hash of ["root"]', async () => {
  const r = await call(server.address, 'GET', 'sys/mounts', { token: root });
  const [req, resp] = entriesOf(r.json.request_id);
  assert.deepEqual(req.auth.policy_results, granted('root'));
  assert.deepEqual(resp.auth.policy_results, granted('root'));
  assert.equal(req.request.client_id, '0DHqvq2D77kL2/JTPSZkTMJbkFVmUu0TzMi0jiXcFy8='); // SHA-256("root\x00root")
});

test('mount class, running version and (left out, as false) external-plugin flag, in both blocks', async () => {
  const r = await call(server.address, 'GET', 'secret/config', { token: root });
  const [req, resp] = entriesOf(r.json.request_id);
  for (const block of [req.request, resp.request]) {
    assert.equal(block.mount_class, 'secret');
    assert.equal(block.mount_running_version, 'v0.1.0+builtin.sealtrail');
    assert.equal('mount_is_external_plugin' in block, false, 'omitempty leaves false out');
    assert.equal('mount_running_sha256' in block, false);
  }
  assert.equal(resp.response.mount_class, 'secret');
  assert.equal(resp.response.mount_running_plugin_version, 'v0.1.0+builtin.sealtrail');
  const keys = Object.keys(req.request);
  assert.deepEqual(keys.slice(0, 8), ['id', 'client_id', 'operation', 'mount_point', 'mount_type', 'mount_accessor', 'mount_running_version', 'mount_class']);
});

test('attestation login: entity_created on the first login only; the entity token\'s client_id is its entity id', async () => {
  const first = await attestLogin();
  const [loginReq, loginResp] = entriesOf(first.requestId);
  assert.deepEqual(loginReq.auth, { policy_results: { allowed: true }, token_type: 'default' }, 'a login path is allowed by no policy');
  assert.equal(loginReq.request.mount_class, 'auth');
  assert.equal(loginResp.auth.entity_created, true);
  assert.equal(loginResp.auth.entity_id, first.auth.entity_id);
  assert.equal(loginResp.response.auth.entity_created, undefined, 'Vault writes it in the entry\'s auth only');

  const second = await attestLogin();
  assert.equal(second.auth.entity_id, first.auth.entity_id);
  const [, secondResp] = entriesOf(second.requestId);
  assert.equal(secondResp.auth.entity_id, first.auth.entity_id);
  assert.equal('entity_created' in secondResp.auth, false);

  const read = await call(server.address, 'GET', 'secret/data/fields/none', { token: second.auth.client_token });
  assert.equal(read.status, 404);
  const [req] = auditLines().filter((e) => e.request?.path === 'secret/data/fields/none' && e.auth?.entity_id === first.auth.entity_id);
  assert.equal(req.request.client_id, first.auth.entity_id);
  assert.deepEqual(req.auth.policy_results, granted('fields-read'));
});
