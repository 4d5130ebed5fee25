/**
 * The capsule control log through the real dev server: a login whose token may act on the capsule
 * domain starts a session of it ("Domain authentication", with the seed's description fields and
 * the session id the token's access records carry, never its accessor); a login that cannot touch
 * the domain does not; every control record names the HTTP method of its request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDevEnclave, loadDevCaFromDir, type DevCa } from '../../src/attestation/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { encapsulate, queryAccessLog, queryControlLog } from '../../src/sdk/capsule.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const SIGNER = '7c'.repeat(48);
const IMAGE = 'e3'.repeat(48);
const OTHER_SIGNER = '8d'.repeat(48);
const SESSION_ID = /^sn-[0-9A-Za-z]{22}$/;

let server: TestServer;
let root: SealtrailClient;
let ca: DevCa;

const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
const login = (signer: string) => apmLogin(new SealtrailClient({ address: server.address, token: '' }), {
  platform: 'nitro', attest: (challenge) => createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: signer } }).attest({ nonce: challenge }),
});
const sessionStarts = async () => (await queryControlLog(root, { order: 'asc', numResults: 100 })).results.filter((r) => r.summary === 'Domain authentication');

before(async () => {
  server = await startDevServer();
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  ca = await loadDevCaFromDir(join(server.dir, 'dev-ca'));
  const policies: Array<[string, string]> = [
    ['capsule-writer', 'path "capsule/encapsulate" {\n  capabilities = ["update"]\n}\n'],
    ['kv-reader', 'path "secret/data/app" {\n  capabilities = ["read"]\n}\n'],
  ];
  for (const [name, policy] of policies) assert.equal((await api('PUT', `sys/policies/acl/${name}`, { policy })).status, 204);
  const roles: Array<[string, string, string]> = [['writer', SIGNER, 'capsule-writer'], ['reader', OTHER_SIGNER, 'kv-reader']];
  for (const [name, signer, policy] of roles) {
    const put = await api('POST', `auth/apm/role/${name}`, { platform: 'nitro', signer_id: signer, token_policies: [policy], token_ttl: '10m' });
    assert.equal(put.status, 204, put.text);
  }
});
after(async () => server?.stop());

test('a login whose token may use the capsule mount starts a session of the domain, recorded as the seed shows it', async () => {
  const before = (await sessionStarts()).length;
  const result = await login(SIGNER);
  const starts = await sessionStarts();
  assert.equal(starts.length, before + 1);
  const start = starts[starts.length - 1];

  const lookup = (await call(server.address, 'GET', 'auth/token/lookup-self', { token: result.token })).json.data;
  assert.match(String(start.session), SESSION_ID);
  assert.notEqual(start.session, result.accessor);
  assert.ok(!JSON.stringify(starts).includes(result.accessor), 'the accessor is in no control record');
  assert.equal(start.url, '/v1/auth/apm/v0/attest/nitro/auth');
  const description = start.description as Record<string, unknown>;
  assert.deepEqual({ ...description, expiry: 'x', not_before: 'x' }, {
    method: 'POST',
    subject: `apm-anjuna-entity-${SIGNER}-${IMAGE}`,
    entity_id: result.entityId,
    capability_names: 'capsule-writer,default',
    issuer: 'auth/apm/',
    expiry: 'x',
    not_before: 'x',
  });
  assert.equal(lookup.display_name, description.subject);
  // RFC 3339 to the second: the token's issue time and its 10-minute expiry.
  assert.equal(description.not_before, new Date(lookup.creation_time * 1000).toISOString().replace('.000Z', 'Z'));
  assert.equal(Date.parse(String(description.expiry)) - Date.parse(String(description.not_before)), 600_000);

  // The session is the one the token's capsule accesses carry.
  const sealed = await encapsulate(root.withToken(result.token), 'hello John Smith');
  const created = (await queryAccessLog(root, { capsule: sealed.capsule_id })).results;
  assert.deepEqual(created.map((r) => [r.operation, r.session]), [['create', start.session]]);
});

test('a login whose token cannot touch the capsule mount is not a session of the domain', async () => {
  const before = (await sessionStarts()).length;
  const result = await login(OTHER_SIGNER);
  assert.deepEqual(result.policies, ['default', 'kv-reader']);
  assert.equal((await sessionStarts()).length, before);
});

test('a token created through auth/token/create that may use the capsule mount starts a session too; one that cannot does not', async () => {
  const before = (await sessionStarts()).length;
  const created = await api('POST', 'auth/token/create', { policies: ['capsule-writer'], ttl: '5m', display_name: 'batch' });
  assert.equal(created.status, 200, created.text);
  const { client_token: token, accessor } = created.json.auth;
  const starts = await sessionStarts();
  assert.equal(starts.length, before + 1);
  const start = starts[starts.length - 1];
  assert.match(String(start.session), SESSION_ID);
  assert.equal(start.url, '/v1/auth/token/create');
  assert.equal(start.request_id, created.json.request_id);
  const description = start.description as Record<string, unknown>;
  assert.deepEqual([description.method, description.subject, description.capability_names, description.issuer], ['POST', 'token-batch', 'capsule-writer,default', 'auth/token/']);
  assert.ok(!JSON.stringify(start).includes(accessor), 'the accessor is in no control record');

  const sealed = await encapsulate(root.withToken(token), 'hello John Smith');
  const records = (await queryAccessLog(root, { capsule: sealed.capsule_id })).results;
  assert.deepEqual(records.map((r) => r.session), [start.session]);

  const other = await api('POST', 'auth/token/create', { policies: ['kv-reader'], ttl: '5m' });
  assert.equal(other.status, 200, other.text);
  assert.equal((await sessionStarts()).length, before + 1);
});

test('control records name the HTTP method of their request', async () => {
  const put = await api('PUT', 'capsule/write-context/orders', { description: 'orders' });
  assert.equal(put.status, 204, put.text);
  assert.equal((await api('DELETE', 'capsule/write-context/orders')).status, 204);
  const [created, deleted] = (await queryControlLog(root, { order: 'desc', numResults: 2 })).results.reverse();
  assert.deepEqual([created.summary, (created.description as { method: string }).method], ['Created write context orders', 'PUT']);
  assert.deepEqual([deleted.summary, (deleted.description as { method: string }).method], ['Deleted write context orders', 'DELETE']);
});

test('policy changes that alter who may act on the domain are control records; others are not', async () => {
  const rootAccessor = (await api('GET', 'auth/token/lookup-self')).json.data.accessor as string;
  const latest = async () => (await queryControlLog(root, { order: 'desc', numResults: 1 })).results[0];
  const mark = (await latest()).id;
  const put = async (policy: string) => assert.equal((await api('PUT', 'sys/policies/acl/auditor', { policy })).status, 204);

  await put('path "capsule/log/*" {\n  capabilities = ["read"]\n}\n');
  const created = await latest();
  assert.deepEqual({ ...created, id: 'x', time: 'x' }, {
    id: 'x', time: 'x', session: created.session, url: '/v1/sys/policies/acl/auditor', summary: 'Created policy auditor',
    description: { method: 'PUT', policy: 'auditor', granted_paths: ['log/access', 'log/control'] },
  });
  const bySession = (await queryControlLog(root, { session: rootAccessor, order: 'desc', numResults: 1 })).results;
  assert.deepEqual(bySession.map((r) => r.id), [created.id], 'the record is the root session\'s');
  assert.match(String(created.session), SESSION_ID);

  // Narrowed to KV only: the domain is told it no longer grants anything there.
  await put('path "secret/data/*" {\n  capabilities = ["read"]\n}\n');
  const narrowed = await latest();
  assert.deepEqual([narrowed.summary, narrowed.description], ['Updated policy auditor', { method: 'PUT', policy: 'auditor', granted_paths: [] }]);
  // A change that never touches the domain, before or after, is not its business.
  await put('path "secret/data/app" {\n  capabilities = ["read"]\n}\n');
  assert.equal((await api('DELETE', 'sys/policies/acl/auditor')).status, 204);
  assert.equal((await latest()).id, narrowed.id);

  await put('path "capsule/*" {\n  capabilities = ["update"]\n}\n');
  assert.equal((await api('DELETE', 'sys/policies/acl/auditor')).status, 204);
  const deleted = await latest();
  assert.deepEqual([deleted.summary, deleted.description], ['Deleted policy auditor', { method: 'DELETE', policy: 'auditor', granted_paths: [] }]);
  assert.ok(String(mark) < String(created.id));
});
