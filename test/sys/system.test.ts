/**
 * sys/ through the real server: secrets engines enabled, tuned, read and disabled with Vault's
 * bodies and errors; the barrier keyring's status and rotation; the mount lookup Vault's CLI uses;
 * health's status-code overrides; metrics behind a token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startDevServer(); });
after(() => server.stop());

const sys = (method: string, path: string, body?: unknown) => call(server.address, method, `sys/${path}`, { token: server.rootToken, body });

test('sys/mounts: enable, refuse a duplicate or an unknown type, tune, read the tune, disable', async () => {
  assert.equal((await sys('POST', 'mounts/kv2', { type: 'kv', options: { version: '2' } })).status, 204);
  const listed = await sys('GET', 'mounts');
  assert.equal(listed.json.data['kv2/'].type, 'kv');
  assert.deepEqual(listed.json.data['kv2/'].options, { version: '2' });

  const unknown = await sys('POST', 'mounts/x', { type: 'nope' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.errors[0], /^"type" is not a supported secrets engine; known types: /);
  // What was sent is never repeated: it may be a secret pasted in the wrong field, or a megabyte.
  const pasted = await sys('POST', 'mounts/y', { type: `hvs.${'S'.repeat(200_000)}` });
  assert.equal(pasted.status, 400);
  assert.ok(pasted.text.length < 1_000 && !pasted.text.includes('hvs.'), pasted.text.slice(0, 200));
  const again = await sys('POST', 'mounts/kv2', { type: 'kv', options: { version: '2' } });
  assert.equal(again.status, 400, 'a path in use cannot be mounted again');

  assert.equal((await sys('POST', 'mounts/kv2/tune', { default_lease_ttl: '1h', audit_non_hmac_request_keys: ['a'] })).status, 204);
  const tune = await sys('GET', 'mounts/kv2/tune');
  assert.equal(tune.status, 200);
  assert.equal(tune.json.data.default_lease_ttl, 3600);
  assert.deepEqual(tune.json.data.audit_non_hmac_request_keys, ['a']);
  // Vault's checks of the lease TTLs and of a KV mount's version, with its messages.
  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['mounts/kv3', { type: 'kv-v2', config: { default_lease_ttl: '5h', max_lease_ttl: '1h' } }, 'given default lease TTL greater than given max lease TTL'],
    ['mounts/kv3', { type: 'kv-v2', config: { default_lease_ttl: '800h' } }, 'given default lease TTL greater than system max lease TTL of 2764800'],
    ['mounts/kv2/tune', { max_lease_ttl: '30m' }, 'backend max lease TTL of 1800 would be less than backend default lease TTL of 3600'],
    ['mounts/kv2/tune', { default_lease_ttl: '800h' }, 'backend default lease TTL of 2880000 would be greater than system max lease TTL of 2764800'],
    ['auth/token/tune', { default_lease_ttl: '5h', max_lease_ttl: '1h' }, 'backend max lease TTL of 3600 would be less than backend default lease TTL of 18000'],
    ['mounts/kv2/tune', { options: { version: '1' } }, 'cannot downgrade mount from version 2'],
    ['mounts/kv2/tune', { options: { version: '3' } }, 'invalid version provided: 3'],
  ];
  for (const [path, body, message] of refusals) assert.deepEqual((await sys('POST', path, body)).json, { errors: [message] }, `${path} ${JSON.stringify(body)}`);
  assert.equal((await sys('GET', 'mounts/kv3')).status, 400, 'nothing was mounted');
  assert.equal((await sys('GET', 'mounts/kv2/tune')).json.data.default_lease_ttl, 3600, 'nothing was tuned');
  assert.equal((await sys('POST', 'mounts/kv2/tune', { max_lease_ttl: '2h', options: { version: '2' } })).status, 204);

  // Written data lives under the mount and goes with it.
  assert.equal((await call(server.address, 'POST', 'kv2/data/a', { token: server.rootToken, body: { data: { v: '1' } } })).status, 200);
  assert.equal((await sys('DELETE', 'mounts/kv2')).status, 204);
  assert.equal((await sys('GET', 'mounts')).json.data['kv2/'], undefined);
  assert.equal((await call(server.address, 'GET', 'kv2/data/a', { token: server.rootToken })).status, 404);
  assert.equal((await sys('POST', 'mounts/kv2', { type: 'kv-v2' })).status, 204, 'kv-v2 is the short form');
  assert.equal((await call(server.address, 'GET', 'kv2/data/a', { token: server.rootToken })).status, 404, 'a new mount starts empty');

  const sysMount = await sys('DELETE', 'mounts/sys');
  assert.equal(sysMount.status, 400);
  assert.match(sysMount.json.errors[0], /cannot unmount "sys\/"/);
});

test('allowed_response_headers is taken at enable and tune (the CLI\'s -allowed-response-headers) and shown, as Vault does', async () => {
  const enabled = await sys('POST', 'mounts/hdr', { type: 'kv-v2', config: { allowed_response_headers: ['X-One'] } });
  assert.deepEqual([enabled.status, enabled.text], [204, '']);
  assert.deepEqual((await sys('GET', 'mounts/hdr')).json.data.config.allowed_response_headers, ['X-One']);
  assert.equal((await sys('POST', 'mounts/hdr/tune', { allowed_response_headers: 'X-Two,X-Three' })).status, 204);
  assert.deepEqual((await sys('GET', 'mounts/hdr/tune')).json.data.allowed_response_headers, ['X-Two', 'X-Three']);
  assert.equal((await sys('POST', 'auth/token/tune', { allowed_response_headers: ['X-Four'] })).status, 204);
  assert.deepEqual((await sys('GET', 'auth/token/tune')).json.data.allowed_response_headers, ['X-Four']);
  assert.equal((await sys('POST', 'mounts/hdr/tune', { allowed_response_headers: [1] })).status, 400);
  assert.equal((await sys('DELETE', 'mounts/hdr')).status, 204);
});

test('auth methods show Vault\'s token_type in their config and tune; secrets engines do not', async () => {
  const listed = (await sys('GET', 'auth')).json.data;
  assert.deepEqual([listed['token/'].config.token_type, listed['apm/'].config.token_type], ['default-service', 'default-service']);
  assert.equal((await sys('GET', 'auth/token')).json.data.config.token_type, 'default-service');
  assert.equal((await sys('GET', 'auth/apm/tune')).json.data.token_type, 'default-service');
  assert.equal((await sys('GET', 'mounts')).json.data['secret/'].config.token_type, undefined);
  assert.equal((await sys('GET', 'mounts/secret/tune')).json.data.token_type, undefined);

  // A token type is tuned where Vault tunes one, and only to the service tokens this server issues.
  assert.equal((await sys('POST', 'auth/apm/tune', { token_type: 'service' })).status, 204);
  assert.equal((await sys('POST', 'auth/apm/tune', { token_type: 'default-service' })).status, 204);
  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['auth/apm/tune', { token_type: 'batch' }, 'batch tokens are not supported'],
    ['auth/apm/tune', { token_type: 'default-batch' }, 'batch tokens are not supported'],
    ['auth/apm/tune', { token_type: 'other' }, "invalid value for 'token_type'"],
    ['auth/token/tune', { token_type: 'service' }, "'token_type' cannot be set for 'token' or 'ns_token' auth mounts"],
    ['mounts/secret/tune', { token_type: 'service' }, "'token_type' can only be modified on auth mounts"],
    ['auth/apm2', { type: 'apm', config: { token_type: 'batch' } }, 'batch tokens are not supported'],
  ];
  for (const [path, body, message] of refusals) assert.deepEqual((await sys('POST', path, body)).json, { errors: [message] }, `${path} ${JSON.stringify(body)}`);
  assert.equal((await sys('GET', 'auth/apm2')).status, 400, 'nothing was enabled');
});

test('sys/mounts reaches secrets engines only: no auth method is read, tuned or disabled through it, and sys/ is not tunable', async () => {
  // A mount administrator: everything under sys/mounts, no sudo (which sys/auth/* needs).
  await sys('PUT', 'policies/acl/mount-admin', { policy: 'path "sys/mounts*" { capabilities = ["create", "read", "update", "delete", "list"] }' });
  const admin = (await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['mount-admin'] } })).json.auth.client_token;
  const asAdmin = (method: string, path: string, body?: unknown) => call(server.address, method, `sys/${path}`, { token: admin, body });
  assert.equal((await sys('POST', 'auth/enclaves', { type: 'apm' })).status, 204);
  const role = { platform: 'nitro', signer_id: '5a'.repeat(48), token_policies: ['default'] };
  assert.equal((await call(server.address, 'POST', 'auth/enclaves/role/app', { token: server.rootToken, body: role })).status, 204);

  const disable = await asAdmin('DELETE', 'mounts/auth/enclaves');
  assert.deepEqual([disable.status, disable.json], [400, { errors: ['cannot unmount "auth/enclaves/"'] }]);
  assert.equal((await call(server.address, 'GET', 'auth/enclaves/role/app', { token: server.rootToken })).status, 200, 'the method and its roles are still there');
  for (const path of ['auth/enclaves', 'auth/token']) {
    const tune = await asAdmin('POST', `mounts/${path}/tune`, { max_lease_ttl: '99999h', audit_non_hmac_request_keys: ['token'] });
    assert.deepEqual([tune.status, tune.json], [400, { errors: [`no secrets engine mounted at ${path}`] }]);
    assert.equal((await asAdmin('GET', `mounts/${path}`)).status, 400);
  }
  assert.deepEqual((await sys('GET', 'auth/token/tune')).json.data.audit_non_hmac_request_keys, undefined);
  const sysTune = await asAdmin('POST', 'mounts/sys/tune', { audit_non_hmac_request_keys: ['token'] });
  assert.deepEqual([sysTune.status, sysTune.json], [400, { errors: ['cannot tune "sys/"'] }]);
  assert.equal((await sys('POST', 'mounts/sys/tune', { audit_non_hmac_request_keys: ['token'] })).status, 400, 'nor by root');
  assert.equal((await sys('GET', 'mounts/sys/tune')).json.data.audit_non_hmac_request_keys, undefined);

  // The way that needs sudo still works.
  assert.equal((await asAdmin('DELETE', 'auth/enclaves')).status, 403);
  assert.equal((await sys('DELETE', 'auth/enclaves')).status, 204);
});

test('sys/internal/ui/mounts names the mount of a path, as Vault\'s CLI asks before a kv command', async () => {
  const r = await sys('GET', 'internal/ui/mounts/secret/app/db');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.path, 'secret/');
  assert.equal(r.json.data.type, 'kv');
  assert.deepEqual(r.json.data.options, { version: '2' });
});

test('sys/key-status and sys/rotate: a rotation adds a keyring term; data written before stays readable', async () => {
  assert.equal((await call(server.address, 'POST', 'secret/data/rotate', { token: server.rootToken, body: { data: { v: 'before' } } })).status, 200);
  const before = (await sys('GET', 'key-status')).json.data;
  assert.equal((await sys('POST', 'rotate')).status, 204);
  const afterStatus = (await sys('GET', 'key-status')).json.data;
  assert.equal(afterStatus.term, before.term + 1);
  // As Vault's: how many values the active term has sealed.
  assert.ok(before.encryptions >= 1, JSON.stringify(before));
  assert.equal(afterStatus.encryptions, 0, 'a new term has sealed nothing yet');
  assert.match(afterStatus.install_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await call(server.address, 'GET', 'secret/data/rotate', { token: server.rootToken })).json.data.data.v, 'before');
});

test('sys/rotate/config: Vault\'s fields and defaults, writes that name one field keep the others, bounds, sudo', async () => {
  assert.deepEqual((await sys('GET', 'rotate/config')).json.data, { max_operations: 3865470566, enabled: true, interval: 0 });
  assert.equal((await sys('POST', 'rotate/config', { max_operations: 2000000000, interval: '4320h' })).status, 204);
  assert.deepEqual((await sys('GET', 'rotate/config')).json.data, { max_operations: 2000000000, enabled: true, interval: '4320h0m0s' });
  assert.equal((await sys('POST', 'rotate/config', { enabled: false })).status, 204);
  assert.deepEqual((await sys('GET', 'rotate/config')).json.data, { max_operations: 2000000000, enabled: false, interval: '4320h0m0s' });
  for (const [body, message] of [
    [{ max_operations: 999_999 }, 'max_operations must be an integer from 1000000 to 3865470566'],
    [{ max_operations: 3865470567 }, 'max_operations must be an integer from 1000000 to 3865470566'],
    [{ interval: '23h' }, 'interval must be a duration from 24h to 2562047h47m16s, or 0 for none'],
    [{ interval: 'soon' }, 'interval must be a duration from 24h to 2562047h47m16s, or 0 for none'],
    // Past Go's time.Duration, as Vault refuses; accepted, it was read back at the next unseal as
    // unreadable and the whole configuration fell back to the defaults.
    [{ interval: '9007199254740993s' }, 'interval must be a duration from 24h to 2562047h47m16s, or 0 for none'],
    [{ interval: '2562048h' }, 'interval must be a duration from 24h to 2562047h47m16s, or 0 for none'],
    [{ enabled: 'maybe' }, '"enabled" must be a boolean'],
    [{ max_operations: 'many' }, '"max_operations" must be an integer'],
  ] as const) {
    const r = await sys('POST', 'rotate/config', body);
    assert.deepEqual([r.status, r.json.errors[0]], [400, message], JSON.stringify(body));
  }
  assert.equal((await sys('POST', 'rotate/config', { max_operations: 3865470566, interval: 0, enabled: true })).status, 204);
  assert.deepEqual((await sys('GET', 'rotate/config')).json.data, { max_operations: 3865470566, enabled: true, interval: 0 });
  // Sudo, as sys/rotate: a token allowed the path without it is refused.
  await sys('PUT', 'policies/acl/rotator', { policy: 'path "sys/rotate/config" { capabilities = ["read", "update"] }' });
  const token = (await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['rotator'] } })).json.auth.client_token;
  assert.equal((await call(server.address, 'POST', 'sys/rotate/config', { token, body: { enabled: false } })).status, 403);
  assert.equal((await sys('GET', 'rotate/config')).json.data.enabled, true);
});

test('sys/health answers without a token, with the status codes a load balancer asks for', async () => {
  const plain = await call(server.address, 'GET', 'sys/health');
  assert.equal(plain.status, 200);
  assert.deepEqual([plain.json.initialized, plain.json.sealed, plain.json.standby], [true, false, false]);
  assert.equal((await call(server.address, 'GET', 'sys/health?activecode=299')).status, 299);
  assert.equal((await call(server.address, 'GET', 'sys/health?sealedcode=200&standbycode=200')).status, 200);
});

test('sys/health reads standbyok and perfstandbyok as Vault does: empty is false, a value that is not a boolean is a 400', async () => {
  for (const q of ['standbyok=', 'standbyok=True', 'standbyok=0', 'perfstandbyok=t']) {
    assert.equal((await call(server.address, 'GET', `sys/health?${q}`)).status, 200, q);
  }
  for (const name of ['standbyok', 'perfstandbyok']) {
    const bad = await call(server.address, 'GET', `sys/health?${name}=maybe`);
    assert.deepEqual([bad.status, bad.json], [400, { errors: [`bad value for ${name} parameter`] }]);
    const head = await fetch(`${server.address}/v1/sys/health?${name}=yes`, { method: 'HEAD' });
    assert.equal(head.status, 400);
  }
});

test('sys/health refuses a status code that is not a final HTTP status with 400, instead of answering 1xx and never again', async () => {
  for (const name of ['activecode', 'standbycode', 'sealedcode', 'uninitcode', 'drsecondarycode', 'performancestandbycode']) {
    for (const value of ['100', '101', '199', '600', '999', 'x', '20', '2000', '']) {
      for (const method of ['GET', 'HEAD']) {
        const r = await fetch(`${server.address}/v1/sys/health?${name}=${value}`, { method, signal: AbortSignal.timeout(2000) });
        assert.equal(r.status, 400, `${method} ${name}=${value}`);
        if (method === 'GET') assert.deepEqual(await r.json(), { errors: [`${name} must be an HTTP status code from 200 to 599`] });
      }
    }
  }
});

test('sys/metrics needs a token unless unauthenticated access is configured', async () => {
  assert.equal((await call(server.address, 'GET', 'sys/metrics')).status, 403);
  const r = await fetch(`${server.address}/v1/sys/metrics`, { headers: { 'x-vault-token': server.rootToken } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(await r.text(), /sealtrail_audit_device_writes_total\{path="file\/",result="success"\} \d+/);
  assert.equal((await fetch(`${server.address}/v1/sys/metrics?format=prometheus`, { headers: { 'x-vault-token': server.rootToken } })).status, 200);
  // Vault's JSON is not served: said plainly, rather than text a JSON client would fail to parse.
  const json = await call(server.address, 'GET', 'sys/metrics?format=json', { token: server.rootToken });
  assert.deepEqual([json.status, json.json], [400, { errors: ['only format=prometheus is served (Prometheus text exposition)'] }]);
});

test('sys/internal/ui/mounts answers only a token that may act under the mount, as Vault does', async () => {
  const { address } = server;
  assert.equal((await sys('POST', 'mounts/hidden', { type: 'kv-v2', description: 'payroll', config: { audit_non_hmac_request_keys: ['ssn'] } })).status, 204);
  const policy = 'path "secret/data/app/*" { capabilities = ["read"] }\npath "hidden/data/payroll" { capabilities = ["deny"] }';
  assert.equal((await sys('PUT', 'policies/acl/app-reader', { policy })).status, 204);
  const token = (await call(address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['app-reader'] } })).json.auth.client_token as string;

  const denied = { status: 403, json: { errors: ['permission denied'] } };
  // Without a token, or with one that has nothing under the mount, neither the mount's
  // configuration nor whether it exists is told.
  for (const [who, t] of [['no token', undefined], ['a token with nothing there', token]] as const) {
    for (const path of ['hidden/data/x', 'hidden', 'nothing/mounted/here']) {
      const r = await call(address, 'GET', `sys/internal/ui/mounts/${path}`, { token: t });
      assert.deepEqual({ status: r.status, json: r.json }, denied, `${who}: ${path}`);
    }
  }
  // A token granted something under the mount learns what the CLI needs.
  const mine = await call(address, 'GET', 'sys/internal/ui/mounts/secret/app/db', { token });
  assert.equal(mine.status, 200);
  assert.deepEqual([mine.json.data.path, mine.json.data.type, mine.json.data.options], ['secret/', 'kv', { version: '2' }]);

  // The listing, as Vault's UI asks for it: a token sees the mounts it may act under, built-in ones
  // included (the default policy grants cubbyhole/ and some of sys/ and auth/token/), as Vault lists them.
  const listing = await call(address, 'GET', 'sys/internal/ui/mounts', { token });
  assert.equal(listing.status, 200);
  assert.deepEqual([Object.keys(listing.json.data.secret).sort(), Object.keys(listing.json.data.auth)], [['cubbyhole/', 'secret/', 'sys/'], ['token/']]);
  assert.equal(listing.json.data.secret['secret/'].type, 'kv');
  assert.equal(listing.json.data.secret['cubbyhole/'].type, 'cubbyhole');
  const rooted = await call(address, 'GET', 'sys/internal/ui/mounts', { token: server.rootToken });
  assert.ok(rooted.json.data.secret['hidden/'] && rooted.json.data.secret['secret/'] && rooted.json.data.secret['kms/']);
  // The one-mount form for a built-in mount the token may use: the vault CLI's `kv get cubbyhole/x`
  // learns the mount is not KV version 2 and reads the path itself.
  const cubbyhole = await call(address, 'GET', 'sys/internal/ui/mounts/cubbyhole/x', { token });
  assert.deepEqual([cubbyhole.status, cubbyhole.json.data.path, cubbyhole.json.data.type], [200, 'cubbyhole/', 'cubbyhole']);
  const noDefault = (await call(address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['app-reader'], no_default_policy: true } })).json.auth.client_token as string;
  assert.deepEqual((await call(address, 'GET', 'sys/internal/ui/mounts/cubbyhole/x', { token: noDefault })).json, denied.json);
  // Without a token: only what is tuned to be listed unauthenticated, and only its type, description and options.
  assert.deepEqual((await call(address, 'GET', 'sys/internal/ui/mounts')).json.data, { secret: {}, auth: {} });
  assert.equal((await sys('POST', 'mounts/hidden/tune', { listing_visibility: 'unauth' })).status, 204);
  assert.deepEqual((await call(address, 'GET', 'sys/internal/ui/mounts')).json.data, {
    secret: { 'hidden/': { type: 'kv', description: 'payroll', options: { version: '2' } } }, auth: {},
  });
});

test('sys/metrics without a token (unauthenticated_metrics_access) answers as with one: GET only, Prometheus text only, rate limit counters included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-metrics-'));
  const configPath = join(dir, 'metrics.hcl');
  writeFileSync(configPath, 'unauthenticated_metrics_access = true\n');
  const open = await startDevServer({ configPath });
  try {
    const root = (method: string, path: string, body?: unknown) => call(open.address, method, path, { token: open.rootToken, body });
    assert.equal((await root('POST', 'sys/quotas/rate-limit/one-a-minute', { path: 'cubbyhole/', rate: 1, interval: '1m' })).status, 204);
    assert.deepEqual([(await root('GET', 'cubbyhole/x')).status, (await root('GET', 'cubbyhole/x')).status], [404, 429]);

    const text = await call(open.address, 'GET', 'sys/metrics');
    assert.equal(text.status, 200);
    assert.match(text.text, /^vault_quota_rate_limit_violation\{name="one-a-minute"\} 1$/m);
    const json = await call(open.address, 'GET', 'sys/metrics?format=json');
    assert.deepEqual([json.status, json.json], [400, { errors: ['only format=prometheus is served (Prometheus text exposition)'] }]);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await call(open.address, method, 'sys/metrics', { body: {} });
      assert.deepEqual([r.status, r.json], [405, { errors: ['unsupported operation'] }], method);
    }
  } finally {
    await open.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
