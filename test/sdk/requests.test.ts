/**
 * The exact HTTP requests each SDK call sends (method, path + query, body, headers), table-driven
 * against a recording fake server, and what each call returns.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailClient, SealtrailRequestError } from '../../src/sdk/index.js';
import { envelope, sdkHeaders, startFakeVault, type FakeVault, type FakeReply } from './fake-vault.js';

let fake: FakeVault;
let client: SealtrailClient;
before(async () => {
  fake = await startFakeVault();
  client = new SealtrailClient({ address: fake.address + '/', token: 'tok-root' });
});
after(() => fake.close());

interface Case {
  name: string;
  call: (c: SealtrailClient) => Promise<unknown>;
  method: string;
  url: string;
  /** Parsed JSON body sent, or undefined when the request must have no body. */
  body?: unknown;
  reply?: FakeReply;
  result?: unknown;
}

const KV_META = { created_time: '2024-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 3 };
const SEAL = { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 1, nonce: 'n1', version: '0.1.0' };
const TOKEN_AUTH = { client_token: 'tok-new', accessor: 'acc-1', policies: ['default'], token_policies: ['default'], metadata: null, lease_duration: 3600, renewable: true, entity_id: '', token_type: 'service', orphan: false };

const cases: Case[] = [
  // generic logical API
  { name: 'read with query', call: (c) => c.read('secret/data/a', { version: 2 }), method: 'GET', url: '/v1/secret/data/a?version=2',
    reply: { status: 200, body: envelope({ x: 1 }) }, result: envelope({ x: 1 }) },
  { name: 'read of a missing path', call: (c) => c.read('/v1/nothing/here'), method: 'GET', url: '/v1/nothing/here', result: undefined },
  { name: 'write', call: (c) => c.write('cubbyhole/a', { k: 'v', n: 2 }), method: 'POST', url: '/v1/cubbyhole/a', body: { k: 'v', n: 2 },
    reply: { status: 204 }, result: undefined },
  { name: 'delete with query', call: (c) => c.delete('cubbyhole/a', { force: true }), method: 'DELETE', url: '/v1/cubbyhole/a?force=true',
    reply: { status: 204 }, result: undefined },
  { name: 'list adds the folder slash', call: (c) => c.list('secret/metadata'), method: 'GET', url: '/v1/secret/metadata/?list=true',
    reply: { status: 200, body: envelope({ keys: ['a', 'b/'] }) }, result: envelope({ keys: ['a', 'b/'] }) },
  { name: 'path segments escaped like Go', call: (c) => c.read('secret/data/a b/c@d:e=f%'), method: 'GET', url: '/v1/secret/data/a%20b/c@d:e=f%25', result: undefined },
  // sys
  { name: 'init status', call: (c) => c.sys.initStatus(), method: 'GET', url: '/v1/sys/init', reply: { status: 200, body: { initialized: false } }, result: false },
  { name: 'init', call: (c) => c.sys.init({ secret_shares: 5, secret_threshold: 3 }), method: 'POST', url: '/v1/sys/init',
    body: { secret_shares: 5, secret_threshold: 3 }, reply: { status: 200, body: { keys: ['ab'], keys_base64: ['qw=='], root_token: 'r' } },
    result: { keys: ['ab'], keys_base64: ['qw=='], root_token: 'r' } },
  { name: 'unseal', call: (c) => c.sys.unseal('key-1'), method: 'POST', url: '/v1/sys/unseal', body: { key: 'key-1' }, reply: { status: 200, body: SEAL }, result: SEAL },
  { name: 'unseal reset', call: (c) => c.sys.unseal({ reset: true }), method: 'POST', url: '/v1/sys/unseal', body: { reset: true }, reply: { status: 200, body: SEAL }, result: SEAL },
  { name: 'seal sends no body', call: (c) => c.sys.seal(), method: 'POST', url: '/v1/sys/seal', reply: { status: 204 }, result: undefined },
  { name: 'seal status', call: (c) => c.sys.sealStatus(), method: 'GET', url: '/v1/sys/seal-status', reply: { status: 200, body: SEAL }, result: SEAL },
  { name: 'health asks for 299 on every state', call: (c) => c.sys.health(), method: 'GET',
    url: '/v1/sys/health?uninitcode=299&sealedcode=299&standbycode=299&drsecondarycode=299&performancestandbycode=299',
    reply: { status: 299, body: { initialized: true, sealed: true, standby: false } }, result: { initialized: true, sealed: true, standby: false } },
  { name: 'mounts list reads data', call: (c) => c.sys.mounts.list(), method: 'GET', url: '/v1/sys/mounts',
    reply: { status: 200, body: { 'secret/': { type: 'kv' }, ...envelope({ 'secret/': { type: 'kv' } }) } }, result: { 'secret/': { type: 'kv' } } },
  { name: 'mounts enable', call: (c) => c.sys.mounts.enable('/kv2/', { type: 'kv', options: { version: '2' }, config: { audit_non_hmac_request_keys: ['a'] } }),
    method: 'POST', url: '/v1/sys/mounts/kv2', body: { type: 'kv', options: { version: '2' }, config: { audit_non_hmac_request_keys: ['a'] } }, reply: { status: 204 } },
  { name: 'mounts disable', call: (c) => c.sys.mounts.disable('kv2/'), method: 'DELETE', url: '/v1/sys/mounts/kv2', reply: { status: 204 } },
  { name: 'mounts tune', call: (c) => c.sys.mounts.tune('kv2', { max_lease_ttl: '1h', audit_non_hmac_response_keys: ['b'] }), method: 'POST',
    url: '/v1/sys/mounts/kv2/tune', body: { max_lease_ttl: '1h', audit_non_hmac_response_keys: ['b'] }, reply: { status: 204 } },
  { name: 'mounts read tune (data only)', call: (c) => c.sys.mounts.readTune('kv2'), method: 'GET', url: '/v1/sys/mounts/kv2/tune',
    reply: { status: 200, body: envelope({ default_lease_ttl: 60, max_lease_ttl: 120 }) }, result: { default_lease_ttl: 60, max_lease_ttl: 120 } },
  { name: 'mounts read tune (top-level only)', call: (c) => c.sys.mounts.readTune('kv3'), method: 'GET', url: '/v1/sys/mounts/kv3/tune',
    reply: { status: 200, body: { default_lease_ttl: 60, request_id: 'x' } }, result: { default_lease_ttl: 60 } },
  { name: 'auth list', call: (c) => c.sys.auth.list(), method: 'GET', url: '/v1/sys/auth', reply: { status: 200, body: envelope({ 'token/': { type: 'token' } }) },
    result: { 'token/': { type: 'token' } } },
  { name: 'auth enable', call: (c) => c.sys.auth.enable('apm', { type: 'apm', description: 'attestation' }), method: 'POST', url: '/v1/sys/auth/apm',
    body: { type: 'apm', description: 'attestation' }, reply: { status: 204 } },
  { name: 'auth disable', call: (c) => c.sys.auth.disable('apm'), method: 'DELETE', url: '/v1/sys/auth/apm', reply: { status: 204 } },
  { name: 'auth tune', call: (c) => c.sys.auth.tune('apm/', { audit_non_hmac_response_keys: ['correlation_id'] }), method: 'POST', url: '/v1/sys/auth/apm/tune',
    body: { audit_non_hmac_response_keys: ['correlation_id'] }, reply: { status: 204 } },
  { name: 'policy read', call: (c) => c.sys.policies.read('app'), method: 'GET', url: '/v1/sys/policies/acl/app',
    reply: { status: 200, body: envelope({ name: 'app', policy: 'path "a" {}' }) }, result: { name: 'app', policy: 'path "a" {}' } },
  { name: 'policy write', call: (c) => c.sys.policies.write('app', 'path "a" {}'), method: 'POST', url: '/v1/sys/policies/acl/app', body: { policy: 'path "a" {}' }, reply: { status: 204 } },
  { name: 'policy list', call: (c) => c.sys.policies.list(), method: 'GET', url: '/v1/sys/policies/acl?list=true',
    reply: { status: 200, body: envelope({ keys: ['app', 'default', 'root'] }) }, result: ['app', 'default', 'root'] },
  { name: 'policy delete', call: (c) => c.sys.policies.delete('app'), method: 'DELETE', url: '/v1/sys/policies/acl/app', reply: { status: 204 } },
  { name: 'capabilities-self', call: (c) => c.sys.capabilitiesSelf('secret/data/a'), method: 'POST', url: '/v1/sys/capabilities-self', body: { paths: ['secret/data/a'] },
    reply: { status: 200, body: envelope({ capabilities: ['read'], 'secret/data/a': ['read'] }) }, result: { capabilities: ['read'], 'secret/data/a': ['read'] } },
  { name: 'capabilities of a token', call: (c) => c.sys.capabilities('tok-x', ['a', 'b']), method: 'POST', url: '/v1/sys/capabilities',
    body: { token: 'tok-x', paths: ['a', 'b'] }, reply: { status: 200, body: envelope({ a: ['read'], b: ['deny'] }) }, result: { a: ['read'], b: ['deny'] } },
  { name: 'capabilities of an accessor', call: (c) => c.sys.capabilitiesAccessor('acc-1', 'a'), method: 'POST', url: '/v1/sys/capabilities-accessor',
    body: { accessor: 'acc-1', paths: ['a'] }, reply: { status: 200, body: envelope({ a: ['list'], capabilities: ['list'] }) },
    result: { a: ['list'], capabilities: ['list'] } },
  { name: 'audit list', call: (c) => c.sys.audit.list(), method: 'GET', url: '/v1/sys/audit',
    reply: { status: 200, body: envelope({ 'file/': { type: 'file', path: 'file/' } }) }, result: { 'file/': { type: 'file', path: 'file/' } } },
  { name: 'audit enable', call: (c) => c.sys.audit.enable('file/', { type: 'file', options: { file_path: '/tmp/a.log' } }), method: 'POST', url: '/v1/sys/audit/file',
    body: { type: 'file', options: { file_path: '/tmp/a.log' } }, reply: { status: 204 } },
  { name: 'audit disable', call: (c) => c.sys.audit.disable('file'), method: 'DELETE', url: '/v1/sys/audit/file', reply: { status: 204 } },
  { name: 'audit hash', call: (c) => c.sys.audit.hash('file', 'foo'), method: 'POST', url: '/v1/sys/audit-hash/file', body: { input: 'foo' },
    reply: { status: 200, body: { hash: 'hmac-sha256:top', ...envelope({ hash: 'hmac-sha256:data' }) } }, result: 'hmac-sha256:data' },
  // token
  { name: 'token create', call: (c) => c.token.create({ policies: ['app'], ttl: '1h', meta: { team: 'a' }, no_parent: true }), method: 'POST',
    url: '/v1/auth/token/create', body: { policies: ['app'], ttl: '1h', meta: { team: 'a' }, no_parent: true },
    reply: { status: 200, body: envelope(null, { auth: TOKEN_AUTH }) }, result: envelope(null, { auth: TOKEN_AUTH }) },
  { name: 'token lookup', call: (c) => c.token.lookup('tok-x'), method: 'POST', url: '/v1/auth/token/lookup', body: { token: 'tok-x' },
    reply: { status: 200, body: envelope({ accessor: 'acc-1' }) }, result: envelope({ accessor: 'acc-1' }) },
  { name: 'token lookup-self', call: (c) => c.token.lookupSelf(), method: 'GET', url: '/v1/auth/token/lookup-self',
    reply: { status: 200, body: envelope({ accessor: 'acc-0' }) }, result: envelope({ accessor: 'acc-0' }) },
  { name: 'token lookup-accessor', call: (c) => c.token.lookupAccessor('acc-1'), method: 'POST', url: '/v1/auth/token/lookup-accessor', body: { accessor: 'acc-1' },
    reply: { status: 200, body: envelope({ accessor: 'acc-1' }) }, result: envelope({ accessor: 'acc-1' }) },
  { name: 'token renew', call: (c) => c.token.renew('tok-x', '2h'), method: 'POST', url: '/v1/auth/token/renew', body: { token: 'tok-x', increment: '2h' },
    reply: { status: 200, body: envelope(null, { auth: TOKEN_AUTH }) }, result: envelope(null, { auth: TOKEN_AUTH }) },
  { name: 'token renew-self', call: (c) => c.token.renewSelf(), method: 'POST', url: '/v1/auth/token/renew-self', body: {},
    reply: { status: 200, body: envelope(null, { auth: TOKEN_AUTH }) }, result: envelope(null, { auth: TOKEN_AUTH }) },
  { name: 'token renew-accessor', call: (c) => c.token.renewAccessor('acc-1', 600), method: 'POST', url: '/v1/auth/token/renew-accessor',
    body: { accessor: 'acc-1', increment: 600 }, reply: { status: 200, body: envelope(null, { auth: TOKEN_AUTH }) }, result: envelope(null, { auth: TOKEN_AUTH }) },
  { name: 'token revoke-orphan', call: (c) => c.token.revokeOrphan('tok-x'), method: 'POST', url: '/v1/auth/token/revoke-orphan', body: { token: 'tok-x' },
    reply: { status: 204 } },
  { name: 'token revoke', call: (c) => c.token.revoke('tok-x'), method: 'POST', url: '/v1/auth/token/revoke', body: { token: 'tok-x' }, reply: { status: 204 } },
  { name: 'token revoke-self', call: (c) => c.token.revokeSelf(), method: 'POST', url: '/v1/auth/token/revoke-self', reply: { status: 204 } },
  { name: 'token revoke-accessor', call: (c) => c.token.revokeAccessor('acc-1'), method: 'POST', url: '/v1/auth/token/revoke-accessor', body: { accessor: 'acc-1' },
    reply: { status: 204 } },
  // kv v2
  { name: 'kv get version', call: (c) => c.kv('secret').get('app/db', { version: 3 }), method: 'GET', url: '/v1/secret/data/app/db?version=3',
    reply: { status: 200, body: envelope({ data: { pw: 'x' }, metadata: KV_META }) }, result: envelope({ data: { pw: 'x' }, metadata: KV_META }) },
  { name: 'kv get deleted version keeps metadata', call: (c) => c.kv('secret/').get('gone'), method: 'GET', url: '/v1/secret/data/gone',
    reply: { status: 404, body: envelope({ data: null, metadata: { ...KV_META, deletion_time: '2024-01-02T00:00:00Z' } }) },
    result: envelope({ data: null, metadata: { ...KV_META, deletion_time: '2024-01-02T00:00:00Z' } }) },
  { name: 'kv get missing', call: (c) => c.kv('secret').get('none'), method: 'GET', url: '/v1/secret/data/none', result: undefined },
  { name: 'kv put with cas', call: (c) => c.kv('secret').put('app/db', { pw: 'y' }, { cas: 0 }), method: 'POST', url: '/v1/secret/data/app/db',
    body: { data: { pw: 'y' }, options: { cas: 0 } }, reply: { status: 200, body: envelope(KV_META) }, result: envelope(KV_META) },
  { name: 'kv put without cas', call: (c) => c.kv('secret').put('a', { k: 1 }), method: 'POST', url: '/v1/secret/data/a', body: { data: { k: 1 } },
    reply: { status: 200, body: envelope(KV_META) }, result: envelope(KV_META) },
  { name: 'kv patch with cas', call: (c) => c.kv('secret').patch('app/db', { pw: 'z', old: null }, { cas: 2 }), method: 'PATCH', url: '/v1/secret/data/app/db',
    body: { data: { pw: 'z', old: null }, options: { cas: 2 } }, reply: { status: 200, body: envelope(KV_META) }, result: envelope(KV_META) },
  { name: 'kv delete latest', call: (c) => c.kv('secret').delete('a'), method: 'DELETE', url: '/v1/secret/data/a', reply: { status: 204 } },
  { name: 'kv delete versions', call: (c) => c.kv('secret').delete('a', [1, 2]), method: 'POST', url: '/v1/secret/delete/a', body: { versions: [1, 2] }, reply: { status: 204 } },
  { name: 'kv undelete', call: (c) => c.kv('secret').undelete('a', [2]), method: 'POST', url: '/v1/secret/undelete/a', body: { versions: [2] }, reply: { status: 204 } },
  { name: 'kv destroy', call: (c) => c.kv('secret').destroy('a', [1]), method: 'POST', url: '/v1/secret/destroy/a', body: { versions: [1] }, reply: { status: 204 } },
  { name: 'kv list', call: (c) => c.kv('secret').list('app'), method: 'GET', url: '/v1/secret/metadata/app/?list=true',
    reply: { status: 200, body: envelope({ keys: ['db'] }) }, result: ['db'] },
  { name: 'kv list root of an empty mount', call: (c) => c.kv('empty').list(), method: 'GET', url: '/v1/empty/metadata/?list=true', result: [] },
  { name: 'kv metadata get', call: (c) => c.kv('secret').metadata.get('a'), method: 'GET', url: '/v1/secret/metadata/a',
    reply: { status: 200, body: envelope({ current_version: 3 }) }, result: envelope({ current_version: 3 }) },
  { name: 'kv metadata put', call: (c) => c.kv('secret').metadata.put('a', { max_versions: 5, custom_metadata: { owner: 'x' } }), method: 'POST',
    url: '/v1/secret/metadata/a', body: { max_versions: 5, custom_metadata: { owner: 'x' } }, reply: { status: 204 } },
  { name: 'kv metadata delete', call: (c) => c.kv('secret').metadata.delete('a'), method: 'DELETE', url: '/v1/secret/metadata/a', reply: { status: 204 } },
];

for (const tc of cases) {
  test(`sdk request: ${tc.name}`, async () => {
    fake.routes = tc.reply ? { [`${tc.method} ${tc.url}`]: tc.reply } : {};
    fake.requests.length = 0;
    const result = await tc.call(client);
    assert.equal(fake.requests.length, 1, 'exactly one request');
    const [req] = fake.requests;
    assert.equal(req.method, tc.method);
    assert.equal(req.url, tc.url);
    if (tc.body === undefined) {
      assert.equal(req.body, '');
      assert.deepEqual(sdkHeaders(req), { 'x-vault-request': 'true', 'x-vault-token': 'tok-root' });
    } else {
      assert.deepEqual(JSON.parse(req.body), tc.body);
      // A PATCH body is a JSON merge patch and says so, as Vault requires.
      const contentType = tc.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      assert.deepEqual(sdkHeaders(req), { 'x-vault-request': 'true', 'x-vault-token': 'tok-root', 'content-type': contentType });
    }
    assert.deepEqual(result, tc.result);
  });
}

test('no token: no X-Vault-Token header; withToken and setToken switch it', async () => {
  fake.routes = {};
  fake.requests.length = 0;
  const anonymous = new SealtrailClient({ address: fake.address, token: undefined });
  anonymous.setToken(undefined);
  await anonymous.read('a');
  await anonymous.withToken('tok-child').read('b');
  anonymous.setToken('tok-set');
  await anonymous.read('c');
  assert.deepEqual(fake.requests.map((r) => [r.url, r.headers['x-vault-token']]), [['/v1/a', undefined], ['/v1/b', 'tok-child'], ['/v1/c', 'tok-set']]);
  assert.equal(anonymous.getToken(), 'tok-set');
});

test('a path with a "." or ".." segment is refused, not resolved by the URL parser into another path', async () => {
  fake.routes = {};
  fake.requests.length = 0;
  const refusals: Array<[() => Promise<unknown>, string, string]> = [
    [() => client.kv('secret').get('tenants/../../../sys/policies/acl/root'), 'GET', 'secret/data/tenants/../../../sys/policies/acl/root'],
    [() => client.kv('secret').put('tenants/a/./../b/creds', { x: 1 }), 'POST', 'secret/data/tenants/a/./../b/creds'],
    [() => client.read('secret/data/..'), 'GET', 'secret/data/..'],
    [() => client.write('./sys/seal'), 'POST', './sys/seal'],
    [() => client.list('secret/metadata/a/..'), 'GET', 'secret/metadata/a/../'],
  ];
  for (const [call, method, path] of refusals) {
    const err = await call().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SealtrailRequestError, String(err));
    assert.equal(err.message, `${method} /v1/${path}: not sent: the path has a "." or ".." segment, which would name another path`);
  }
  assert.equal(fake.requests.length, 0);
  await client.read('secret/data/a.b/..c/.d.');
  assert.deepEqual(fake.requests.map((r) => r.url), ['/v1/secret/data/a.b/..c/.d.'], 'dots inside a name are names');
});
