/**
 * CLI commands run in-process against the recording fake server: the requests each command sends,
 * its exact output, and its exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { envelope } from '../sdk/fake-vault.js';
import { SealtrailRequestError } from '../../src/sdk/index.js';
import { runIn, useFakeVault } from './harness.js';

const vault = useFakeVault('sealtrail-cli-home-');
const { run } = vault;
const sent = () => vault.fake.requests.map((r) => `${r.method} ${r.url}${r.body ? ' ' + r.body : ''}`);

const SEAL = { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', version: '0.1.0', storage_type: 'sqlite' };
const META = { created_time: '2024-05-01T10:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 };

test('status: unsealed → 0 with vault\'s table; sealed → 2', async () => {
  vault.fake.routes['GET /v1/sys/seal-status'] = { status: 200, body: SEAL };
  const ok = await run(['status']);
  assert.deepEqual([ok.code, ok.stderr], [0, '']);
  assert.equal(ok.stdout, [
    'Key             Value', '---             -----', 'Seal Type       shamir', 'Initialized     true', 'Sealed          false',
    'Total Shares    1', 'Threshold       1', 'Version         0.1.0', 'Storage Type    sqlite', '',
  ].join('\n'));
  vault.fake.routes['GET /v1/sys/seal-status'] = { status: 200, body: { ...SEAL, sealed: true, t: 3, n: 5, progress: 1, nonce: 'abc' } };
  const sealed = await run(['status', '-format=json']);
  assert.equal(sealed.code, 2);
  assert.equal(JSON.parse(sealed.stdout).progress, 1);
});

test('status: no server → exit 1 (2 would mean sealed)', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const r = await runIn(['status', `-address=http://127.0.0.1:${port}`], { env: {} });
  assert.deepEqual([r.code, r.stderr], [1, `Error checking seal status: connect ECONNREFUSED 127.0.0.1:${port}\n`]);
});

test('version prints the package version, as vault version does', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = await runIn(['version'], { env: {} });
  assert.deepEqual([r.code, r.stdout], [0, `Sealtrail v${version}\n`]);
});

test('an address without http:// or https:// is refused, naming where it came from', async () => {
  const fromEnv = await runIn(['status'], { env: { SEALTRAIL_ADDR: '127.0.0.1:8200' } });
  assert.deepEqual([fromEnv.code, fromEnv.stderr], [1, 'the server address "127.0.0.1:8200" (SEALTRAIL_ADDR) is not an http:// or https:// URL; for example http://127.0.0.1:8200\n']);
  const fromVault = await runIn(['kv', 'get', 'secret/x'], { env: { VAULT_ADDR: 'notaurl' } });
  assert.match(fromVault.stderr, /"notaurl" \(VAULT_ADDR\) is not an http:\/\/ or https:\/\/ URL/);
  const fromFlag = await runIn(['status', '-address=ftp://host'], { env: {} });
  assert.match(fromFlag.stderr, /"ftp:\/\/host" \(-address\)/);
});

test('kv put: mount from the preflight fallback, cas, vault\'s output', async () => {
  vault.fake.routes['POST /v1/secret/data/app/db'] = { status: 200, body: envelope(META) };
  const r = await run(['kv', 'put', '-cas=1', 'secret/app/db', 'pw=s3cret', 'user=app']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(sent(), ['GET /v1/sys/internal/ui/mounts/secret/app/db', 'POST /v1/secret/data/app/db {"data":{"pw":"s3cret","user":"app"},"options":{"cas":1}}']);
  assert.equal(r.stdout, [
    '=== Secret Path ===', 'secret/data/app/db', '',
    '======= Metadata =======', 'Key                Value', '---                -----', 'created_time       2024-05-01T10:00:00Z',
    'custom_metadata    <nil>', 'deletion_time      n/a', 'destroyed          false', 'version            2', '',
  ].join('\n'));
});

test('kv put and kv patch take vault\'s -cas=-1 (the flag\'s default) as no check-and-set', async () => {
  vault.fake.routes['POST /v1/secret/data/app/db'] = { status: 200, body: envelope(META) };
  vault.fake.routes['PATCH /v1/secret/data/app/db'] = { status: 200, body: envelope(META) };
  const put = await run(['kv', 'put', '-cas=-1', 'secret/app/db', 'pw=x']);
  assert.deepEqual([put.code, put.stderr], [0, '']);
  const patch = await run(['kv', 'patch', '-cas=-1', 'secret/app/db', 'pw=y']);
  assert.deepEqual([patch.code, patch.stderr], [0, '']);
  assert.deepEqual(sent().filter((s) => !s.includes('internal/ui')), ['POST /v1/secret/data/app/db {"data":{"pw":"x"}}', 'PATCH /v1/secret/data/app/db {"data":{"pw":"y"}}']);
  const bad = await run(['kv', 'put', '-cas=1.5', 'secret/app/db', 'pw=x']);
  assert.deepEqual([bad.code, bad.stderr], [1, 'invalid value "1.5" for flag -cas: expected an integer\n']);
});

test('kv put -mount with a preflight that names a nested mount', async () => {
  vault.fake.routes['GET /v1/sys/internal/ui/mounts/team/kv'] = { status: 200, body: envelope({ path: 'team/kv/', type: 'kv', options: { version: '2' } }) };
  vault.fake.routes['POST /v1/team/kv/data/a'] = { status: 200, body: envelope(META) };
  const r = await run(['kv', 'put', '-mount=team/kv', '-format=json', 'a', 'k=v']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), envelope(META));
  assert.equal(sent()[1], 'POST /v1/team/kv/data/a {"data":{"k":"v"}}');
});

test('kv get -field: exact for a pipe; on a terminal, escape sequences and overrides from the server are shown escaped', async () => {
  const hostile = 'pw\x1b]0;pwned\x07\x1b[2J\r\u202eexe';
  vault.fake.routes['GET /v1/secret/data/app/db'] = { status: 200, body: envelope({ data: { pw: hostile }, metadata: META }) };
  const piped = await run(['kv', 'get', '-field=pw', 'secret/app/db']);
  assert.deepEqual([piped.code, piped.stdout], [0, hostile], 'a script captures the value byte for byte');
  const shown = await run(['kv', 'get', '-field=pw', 'secret/app/db'], { stdoutIsTty: true });
  assert.deepEqual([shown.code, shown.stdout], [0, 'pw\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\u202eexe\n']);
});

test('kv get: table, -field without newline, missing → 2', async () => {
  vault.fake.routes['GET /v1/secret/data/app/db?version=2'] = { status: 200, body: envelope({ data: { pw: 's3cret' }, metadata: META }) };
  const r = await run(['kv', 'get', '-version=2', 'secret/app/db']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    '=== Secret Path ===', 'secret/data/app/db', '',
    '======= Metadata =======', 'Key                Value', '---                -----', 'created_time       2024-05-01T10:00:00Z',
    'custom_metadata    <nil>', 'deletion_time      n/a', 'destroyed          false', 'version            2', '',
    '=== Data ===', 'Key    Value', '---    -----', 'pw     s3cret', '',
  ].join('\n'));
  const field = await run(['kv', 'get', '-version=2', '-field=pw', 'secret/app/db']);
  assert.deepEqual([field.code, field.stdout], [0, 's3cret']);
  const nofield = await run(['kv', 'get', '-version=2', '-field=nope', 'secret/app/db']);
  assert.deepEqual([nofield.code, nofield.stderr], [1, 'Field "nope" not present in secret\n']);
  const missing = await run(['kv', 'get', 'secret/none']);
  assert.deepEqual([missing.code, missing.stdout, missing.stderr], [2, '', 'No value found at secret/data/none\n']);
});

const WRAP_INFO = { token: 'hvs.wrap1', accessor: 'acc-wrap1', ttl: 300, creation_time: '2024-05-01T10:00:00.12345Z', creation_path: 'secret/data/app/db' };

test('-wrap-ttl: sent with the command\'s request (not the kv preflight); the wrapped answer is printed as vault prints it', async () => {
  vault.fake.routes['GET /v1/secret/data/app/db'] = { status: 200, body: envelope(null, { wrap_info: WRAP_INFO }) };
  const r = await run(['kv', 'get', '-wrap-ttl=5m', 'secret/app/db']);
  assert.deepEqual([r.code, r.stderr], [0, '']);
  assert.deepEqual(vault.fake.requests.map((q) => [q.url, q.headers['x-vault-wrap-ttl']]), [['/v1/sys/internal/ui/mounts/secret/app/db', undefined], ['/v1/secret/data/app/db', '5m']]);
  assert.equal(r.stdout, [
    'Key                             Value', '---                             -----',
    'wrapping_token                  hvs.wrap1', 'wrapping_accessor               acc-wrap1', 'wrapping_token_ttl              5m',
    'wrapping_token_creation_time    2024-05-01 10:00:00.12345 +0000 UTC', 'wrapping_token_creation_path    secret/data/app/db', '',
  ].join('\n'));
  const json = await run(['read', 'secret/data/app/db', '-wrap-ttl=300', '-format=json']);
  assert.deepEqual([json.code, JSON.parse(json.stdout)], [0, envelope(null, { wrap_info: WRAP_INFO })]);
  assert.equal(vault.fake.requests.at(-1)?.headers['x-vault-wrap-ttl'], '300');
  const field = await run(['kv', 'get', '-field=wrapping_token', '-wrap-ttl=1h', 'secret/app/db']);
  assert.deepEqual([field.code, field.stdout], [0, 'hvs.wrap1']);
  const absent = await run(['kv', 'get', '-field=pw', '-wrap-ttl=1h', 'secret/app/db']);
  assert.deepEqual([absent.code, absent.stderr], [1, 'Field "pw" not present in secret\n']);

  vault.fake.routes['POST /v1/auth/token/create'] = { status: 200, body: envelope(null, { wrap_info: { ...WRAP_INFO, creation_path: 'auth/token/create', wrapped_accessor: 'acc-child' } }) };
  const created = await run(['token', 'create', '-wrap-ttl=5m']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^wrapping_token_creation_path {4}auth\/token\/create\nwrapped_accessor {16}acc-child\n$/m);
});

test('the wrapping TTL comes from -wrap-ttl, then SEALTRAIL_WRAP_TTL, then VAULT_WRAP_TTL; a bad one is a usage error and nothing is sent', async () => {
  vault.fake.routes['GET /v1/secret/data/app/db'] = (req) => ({ status: 200, body: envelope(null, { wrap_info: { ...WRAP_INFO, token: String(req.headers['x-vault-wrap-ttl']) } }) });
  const ttlSent = async (argv: string[], env: Record<string, string>) => {
    const r = await run(['read', '-field=wrapping_token', ...argv, 'secret/data/app/db'], { env });
    return [r.code, r.stdout];
  };
  assert.deepEqual(await ttlSent([], { VAULT_WRAP_TTL: '2m' }), [0, '2m']);
  assert.deepEqual(await ttlSent([], { VAULT_WRAP_TTL: '2m', SEALTRAIL_WRAP_TTL: '3m' }), [0, '3m']);
  assert.deepEqual(await ttlSent(['-wrap-ttl=4m'], { SEALTRAIL_WRAP_TTL: '3m' }), [0, '4m']);
  // -wrap-ttl=0 turns off what a variable asks for: the answer is the secret's.
  vault.fake.routes['GET /v1/secret/data/app/db'] = { status: 200, body: envelope({ data: { pw: 's3cret' }, metadata: META }) };
  const plain = await run(['kv', 'get', '-wrap-ttl=0', '-field=pw', 'secret/app/db'], { env: { VAULT_WRAP_TTL: '2m' } });
  assert.deepEqual([plain.code, plain.stdout, vault.fake.requests.at(-1)?.headers['x-vault-wrap-ttl']], [0, 's3cret', undefined]);

  vault.fake.requests.length = 0;
  const flag = await run(['kv', 'get', '-wrap-ttl=5x', 'secret/app/db']);
  assert.deepEqual([flag.code, flag.stdout, flag.stderr], [1, '', 'invalid value "5x" for flag -wrap-ttl: expected a duration such as 30s, 5m or 1h, or a number of seconds\n']);
  const negative = await run(['read', '-wrap-ttl=-5m', 'secret/data/app/db']);
  assert.match(negative.stderr, /^invalid value "-5m" for flag -wrap-ttl: /);
  const env = await run(['read', 'secret/data/app/db'], { env: { VAULT_WRAP_TTL: 'soon' } });
  assert.deepEqual([env.code, env.stderr], [1, 'invalid value "soon" for VAULT_WRAP_TTL: expected a duration such as 30s, 5m or 1h, or a number of seconds\n']);
  assert.deepEqual(vault.fake.requests, []);
});

test('kv delete / undelete / destroy / list / metadata', async () => {
  vault.fake.routes['POST /v1/secret/delete/a'] = { status: 204 };
  vault.fake.routes['DELETE /v1/secret/data/a'] = { status: 204 };
  vault.fake.routes['POST /v1/secret/destroy/a'] = { status: 204 };
  vault.fake.routes['GET /v1/secret/metadata/?list=true'] = { status: 200, body: envelope({ keys: ['b/', 'a'] }) };
  assert.equal((await run(['kv', 'delete', '-versions=1,2', '-versions', '3', 'secret/a'])).stdout, 'Success! Data deleted (if it existed) at: secret/delete/a\n');
  assert.equal((await run(['kv', 'delete', 'secret/a'])).stdout, 'Success! Data deleted (if it existed) at: secret/data/a\n');
  assert.equal((await run(['kv', 'destroy', '-versions=1', 'secret/a'])).stdout, 'Success! Data written to: secret/destroy/a\n');
  const requests = sent().filter((s) => !s.includes('internal/ui'));
  assert.deepEqual(requests, ['POST /v1/secret/delete/a {"versions":[1,2,3]}', 'DELETE /v1/secret/data/a', 'POST /v1/secret/destroy/a {"versions":[1]}']);
  const noVersions = await run(['kv', 'undelete', 'secret/a']);
  assert.deepEqual([noVersions.code, noVersions.stderr], [1, 'No versions provided, use the "-versions" flag to specify the version to undelete.\n']);
  const badVersion = await run(['kv', 'undelete', '-versions=x', 'secret/a']);
  assert.deepEqual([badVersion.code, badVersion.stderr], [1, 'invalid value "x" for flag -versions: expected a non-negative integer\n']);
  assert.equal((await run(['kv', 'list', 'secret/'])).stdout, 'Keys\n----\na\nb/\n');
  assert.equal((await run(['kv', 'list', '-format=json', 'secret'])).stdout, '[\n  "b/",\n  "a"\n]\n');
  const empty = await run(['kv', 'list', 'secret/none']);
  assert.deepEqual([empty.code, empty.stderr], [2, 'No value found at secret/metadata/none\n']);
});

test('kv metadata put takes vault\'s -max-versions=-1 (the flag\'s default) as not set', async () => {
  vault.fake.routes['POST /v1/secret/metadata/a'] = { status: 204 };
  const put = await run(['kv', 'metadata', 'put', '-max-versions=-1', '-cas-required=true', 'secret/a']);
  assert.deepEqual([put.code, put.stderr], [0, '']);
  assert.equal(sent().at(-1), 'POST /v1/secret/metadata/a {"cas_required":true}');
  const bad = await run(['kv', 'metadata', 'put', '-max-versions=x', 'secret/a']);
  assert.deepEqual([bad.code, bad.stderr], [1, 'invalid value "x" for flag -max-versions: expected an integer\n']);
});

test('kv metadata get prints the metadata and each version', async () => {
  vault.fake.routes['GET /v1/secret/metadata/a'] = { status: 200, body: envelope({
    cas_required: false, created_time: 't0', current_version: 2, custom_metadata: { owner: 'ops' }, delete_version_after: '0s', max_versions: 0,
    oldest_version: 1, updated_time: 't1', versions: { 2: { created_time: 't1', deletion_time: '', destroyed: false }, 1: { created_time: 't0', deletion_time: 't1', destroyed: true } },
  }) };
  const r = await run(['kv', 'metadata', 'get', 'secret/a']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    '= Metadata Path =', 'secret/metadata/a', '',
    '========== Metadata ==========', 'Key                     Value', '---                     -----', 'cas_required            false', 'created_time            t0',
    'current_version         2', 'custom_metadata         map[owner:ops]', 'delete_version_after    0s', 'max_versions            0', 'oldest_version          1',
    'updated_time            t1', '',
    '====== Version 1 ======', 'Key              Value', '---              -----', 'created_time     t0', 'deletion_time    t1', 'destroyed        true', '',
    '====== Version 2 ======', 'Key              Value', '---              -----', 'created_time     t1', 'deletion_time    n/a', 'destroyed        false', '',
  ].join('\n'));
  vault.fake.routes['POST /v1/secret/metadata/a'] = { status: 204 };
  vault.fake.requests.length = 0;
  const put = await run(['kv', 'metadata', 'put', '-max-versions=5', '-cas-required=false', '-custom-metadata=owner=ops', '-custom-metadata=tier=1', 'secret/a']);
  assert.deepEqual([put.code, put.stdout], [0, 'Success! Data written to: secret/metadata/a\n']);
  assert.equal(sent()[1], 'POST /v1/secret/metadata/a {"max_versions":5,"cas_required":false,"custom_metadata":{"owner":"ops","tier":"1"}}');
});

test('token create shows the token; lookup hides the id; revoke', async () => {
  const auth = { client_token: 'hvs.NEW', accessor: 'acc-9', policies: ['app', 'default'], token_policies: ['app', 'default'], metadata: null,
    lease_duration: 3600, renewable: true, entity_id: '', token_type: 'service', orphan: false };
  vault.fake.routes['POST /v1/auth/token/create'] = { status: 200, body: envelope(null, { auth }) };
  const created = await run(['token', 'create', '-policy=app', '-ttl=1h', '-metadata=team=a', '-renewable=false', '-use-limit=3']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(vault.fake.requests[0].body, '{"ttl":"1h","policies":["app"],"meta":{"team":"a"},"renewable":false,"num_uses":3}');
  assert.match(created.stdout, /^token\s+hvs\.NEW$/m);
  assert.equal((await run(['token', 'create', '-field=token'])).stdout, 'hvs.NEW');

  vault.fake.routes['GET /v1/auth/token/lookup-self'] = { status: 200, body: envelope({ id: 'tok-root', accessor: 'acc-0', policies: ['root'], ttl: 0 }) };
  const lookup = await run(['token', 'lookup']);
  assert.equal(lookup.stdout, ['Key         Value', '---         -----', 'accessor    acc-0', 'policies    [root]', 'ttl         0s', ''].join('\n'));
  assert.ok(!(await run(['token', 'lookup', '-format=json'])).stdout.includes('tok-root'));

  vault.fake.routes['POST /v1/auth/token/revoke-accessor'] = { status: 204 };
  const revoked = await run(['token', 'revoke', '-accessor', 'acc-9']);
  assert.deepEqual([revoked.code, revoked.stdout], [0, 'Success! Revoked token (if it existed)\n']);
  assert.equal(vault.fake.requests.at(-1)?.body, '{"accessor":"acc-9"}');
  assert.equal((await run(['token', 'revoke'])).code, 1);
});

test('token renew -accessor renews by accessor; token revoke -mode=orphan keeps the children, as vault\'s flags do', async () => {
  const auth = { client_token: '', accessor: 'acc-9', policies: ['default'], token_policies: ['default'], metadata: null,
    lease_duration: 1800, renewable: true, entity_id: '', token_type: 'service', orphan: false };
  vault.fake.routes['POST /v1/auth/token/renew-accessor'] = { status: 200, body: envelope(null, { auth }) };
  const renewed = await run(['token', 'renew', '-accessor', '-increment=30m', 'acc-9']);
  assert.deepEqual([renewed.code, renewed.stderr], [0, '']);
  assert.equal(sent().at(-1), 'POST /v1/auth/token/renew-accessor {"accessor":"acc-9","increment":"30m"}');
  assert.match(renewed.stdout, /^token_duration\s+30m$/m);

  vault.fake.routes['POST /v1/auth/token/revoke-orphan'] = { status: 204 };
  const orphaned = await run(['token', 'revoke', '-mode=orphan', 'hvs.PARENT']);
  assert.deepEqual([orphaned.code, orphaned.stdout], [0, 'Success! Revoked token (if it existed)\n']);
  assert.equal(sent().at(-1), 'POST /v1/auth/token/revoke-orphan {"token":"hvs.PARENT"}');
  const before = vault.fake.requests.length;
  for (const [argv, message] of [
    [['-mode=orphan', '-accessor', 'acc-9'], 'Cannot use -accessor flag with -mode=orphan'],
    [['-mode=orphan', '-self'], 'Cannot use -self flag with -mode flag'],
    [['-mode=all', 'hvs.PARENT'], 'Invalid mode "all": expected orphan or path'],
  ] as const) {
    const refused = await run(['token', 'revoke', ...argv]);
    assert.deepEqual([refused.code, refused.stderr], [1, `${message}\n`], argv.join(' '));
  }
  assert.equal(vault.fake.requests.length, before, 'no request for a usage error');
});

test('token capabilities: of the current token, of a given token or accessor; sorted and comma-joined as vault prints them', async () => {
  vault.fake.routes['POST /v1/sys/capabilities-self'] = { status: 200, body: envelope({ 'secret/data/a': ['update', 'read'], capabilities: ['update', 'read'] }) };
  vault.fake.routes['POST /v1/sys/capabilities'] = { status: 200, body: envelope({ 'secret/data/a': ['deny'], capabilities: ['deny'] }) };
  vault.fake.routes['POST /v1/sys/capabilities-accessor'] = { status: 200, body: envelope({ 'secret/data/a': ['list'], capabilities: ['list'] }) };
  assert.deepEqual(await run(['token', 'capabilities', 'secret/data/a']), { code: 0, stdout: 'read, update\n', stderr: '' });
  assert.equal(sent().at(-1), 'POST /v1/sys/capabilities-self {"paths":["secret/data/a"]}');
  assert.deepEqual(await run(['token', 'capabilities', 'hvs.OTHER', 'secret/data/a']), { code: 0, stdout: 'deny\n', stderr: '' });
  assert.equal(sent().at(-1), 'POST /v1/sys/capabilities {"token":"hvs.OTHER","paths":["secret/data/a"]}');
  assert.deepEqual(await run(['token', 'capabilities', '-accessor', '-format=json', 'acc-9', 'secret/data/a']), { code: 0, stdout: '[\n  "list"\n]\n', stderr: '' });
  assert.equal(sent().at(-1), 'POST /v1/sys/capabilities-accessor {"accessor":"acc-9","paths":["secret/data/a"]}');
  const before = vault.fake.requests.length;
  assert.equal((await run(['token', 'capabilities'])).code, 1);
  assert.equal((await run(['token', 'capabilities', 'a', 'b', 'c'])).code, 1);
  assert.equal((await run(['token', 'capabilities', '-accessor', 'secret/data/a'])).code, 1);
  assert.equal(vault.fake.requests.length, before, 'no request for a usage error');
});

test('login stores the token 0600, does not print it, and warns about an env token', async () => {
  vault.fake.routes['GET /v1/auth/token/lookup-self'] = (req) => req.headers['x-vault-token'] === 'tok-login'
    ? { status: 200, body: envelope({ id: 'tok-login', accessor: 'acc-L', policies: ['default'], ttl: 60, renewable: true }) }
    : { status: 403, body: { errors: ['permission denied'] } };
  const r = await runIn(['login', '-'], { homeDir: vault.home, stdin: 'tok-login\n', env: { VAULT_ADDR: vault.fake.address, VAULT_TOKEN: 'tok-env' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(vault.fake.requests[0].headers['x-vault-token'], 'tok-login');
  assert.equal(await readFile(join(vault.home, '.sealtrail-token'), 'utf8'), 'tok-login');
  assert.equal((await stat(join(vault.home, '.sealtrail-token'))).mode & 0o777, 0o600);
  assert.ok(!r.stdout.includes('tok-login') && !r.stderr.includes('tok-env'));
  assert.match(r.stdout, /^token_accessor\s+acc-L$/m);
  assert.match(r.stderr, /^WARNING! The VAULT_TOKEN environment variable is set!/);
  const bad = await runIn(['login', 'tok-bad'], { homeDir: vault.home, env: { VAULT_ADDR: vault.fake.address } });
  assert.deepEqual([bad.code, bad.stderr], [2, 'Error authenticating: permission denied\n']);
  assert.equal(await readFile(join(vault.home, '.sealtrail-token'), 'utf8'), 'tok-login', 'a rejected token is not stored');
});

test('token precedence: SEALTRAIL_TOKEN, then VAULT_TOKEN, then the login file', async () => {
  await writeFile(join(vault.home, '.sealtrail-token'), 'tok-file\n');
  const seen = async (env: Record<string, string>) => {
    vault.fake.requests.length = 0;
    await runIn(['read', 'sys/x'], { homeDir: vault.home, env: { SEALTRAIL_ADDR: vault.fake.address, ...env } });
    return vault.fake.requests[0].headers['x-vault-token'];
  };
  assert.equal(await seen({ SEALTRAIL_TOKEN: 'tok-s', VAULT_TOKEN: 'tok-v' }), 'tok-s');
  assert.equal(await seen({ VAULT_TOKEN: 'tok-v' }), 'tok-v');
  assert.equal(await seen({ VAULT_ADDR: 'https://vault.prod.invalid:8200', VAULT_TOKEN: 'tok-v' }), 'tok-file', 'a Vault shell\'s token stays with its server');
  assert.equal(await seen({}), 'tok-file');
});

test('policy write from stdin, read, list, missing → 2', async () => {
  vault.fake.routes['POST /v1/sys/policies/acl/app'] = { status: 204 };
  vault.fake.routes['GET /v1/sys/policies/acl/app'] = { status: 200, body: envelope({ name: 'app', policy: 'path "secret/*" { capabilities = ["read"] }\n' }) };
  vault.fake.routes['GET /v1/sys/policies/acl?list=true'] = { status: 200, body: envelope({ keys: ['app', 'default', 'root'] }) };
  const hcl = 'path "secret/*" { capabilities = ["read"] }\n';
  assert.equal((await run(['policy', 'write', 'app', '-'], { stdin: hcl })).stdout, 'Success! Uploaded policy: app\n');
  assert.equal(vault.fake.requests[0].body, JSON.stringify({ policy: hcl }));
  assert.equal((await run(['policy', 'read', 'app'])).stdout, 'path "secret/*" { capabilities = ["read"] }\n');
  assert.equal((await run(['policy', 'list'])).stdout, 'app\ndefault\nroot\n');
  const missing = await run(['policy', 'read', 'nope']);
  assert.deepEqual([missing.code, missing.stderr], [2, 'No policy named: nope\n']);
  const nofile = await run(['policy', 'write', 'x', '/nonexistent.hcl']);
  assert.deepEqual([nofile.code, nofile.stderr], [1, 'sealtrail: /nonexistent.hcl: no such file or directory\n']);  // A policy's comments and a name are anyone's text: shown terminal-safe, tabs and line breaks kept.
  vault.fake.routes['GET /v1/sys/policies/acl/evil'] = { status: 200, body: envelope({ name: 'evil', policy: '# \u001b]0;owned\u0007\u202e\n\tpath "x" {}\n' }) };
  assert.equal((await run(['policy', 'read', 'evil'])).stdout, '# \\x1b]0;owned\\x07\\u202e\n\tpath "x" {}\n');
  vault.fake.routes['GET /v1/sys/policies/acl?list=true'] = { status: 200, body: envelope({ keys: ['a\u001b[2Jb'] }) };
  assert.equal((await run(['policy', 'list'])).stdout, 'a\\x1b[2Jb\n');
});

test('secrets enable/tune/list and auth enable/tune send vault\'s bodies', async () => {
  vault.fake.routes['POST /v1/sys/mounts/kv2'] = { status: 204 };
  vault.fake.routes['POST /v1/sys/mounts/kv2/tune'] = { status: 204 };
  vault.fake.routes['POST /v1/sys/auth/apm'] = { status: 204 };
  vault.fake.routes['POST /v1/sys/auth/apm/tune'] = { status: 204 };
  const e = await run(['secrets', 'enable', '-path=kv2', '-description=team kv', '-audit-non-hmac-request-keys=a,b', '-audit-non-hmac-response-keys=c', 'kv-v2']);
  assert.deepEqual([e.code, e.stdout], [0, 'Success! Enabled the kv-v2 secrets engine at: kv2/\n']);
  assert.equal(vault.fake.requests[0].body, '{"type":"kv","description":"team kv","config":{"audit_non_hmac_request_keys":["a","b"],"audit_non_hmac_response_keys":["c"]},"options":{"version":"2"}}');
  assert.equal((await run(['secrets', 'tune', '-max-lease-ttl=1h', 'kv2/'])).stdout, 'Success! Tuned the secrets engine at: kv2/\n');
  assert.equal(vault.fake.requests[1].body, '{"max_lease_ttl":"1h"}');
  assert.equal((await run(['secrets', 'tune', 'kv2'])).code, 1);
  assert.equal((await run(['auth', 'enable', 'apm'])).stdout, 'Success! Enabled apm auth method at: apm/\n');
  assert.equal((await run(['auth', 'tune', '-audit-non-hmac-response-keys=correlation_id,enclave_id', 'apm'])).stdout, 'Success! Tuned the auth method at: apm/\n');
  assert.equal(vault.fake.requests.at(-1)?.body, '{"audit_non_hmac_response_keys":["correlation_id","enclave_id"]}');

  vault.fake.routes['GET /v1/sys/mounts'] = { status: 200, body: envelope({
    'secret/': { type: 'kv', description: 'key/value secret storage', accessor: 'kv_1', config: { default_lease_ttl: 0, max_lease_ttl: 0 }, options: { version: '2' }, local: false, seal_wrap: false },
    'cubbyhole/': { type: 'cubbyhole', description: '', accessor: 'cubbyhole_2', config: { default_lease_ttl: 0, max_lease_ttl: 0 }, options: null, local: true, seal_wrap: false },
  }) };
  assert.equal((await run(['secrets', 'list'])).stdout, [
    'Path          Type         Accessor       Description', '----          ----         --------       -----------',
    'cubbyhole/    cubbyhole    cubbyhole_2    n/a', 'secret/       kv           kv_1           key/value secret storage', '',
  ].join('\n'));
});

test('audit enable with key=value options, list, list -detailed, empty list → 2, disable', async () => {
  vault.fake.routes['POST /v1/sys/audit/trail'] = { status: 204 };
  const e = await run(['audit', 'enable', '-path=trail', '-description=main trail', 'file', 'file_path=/var/log/sealtrail/audit.log', 'mode=0640']);
  assert.deepEqual([e.code, e.stdout], [0, 'Success! Enabled the file audit device at: trail/\n']);
  assert.equal(vault.fake.requests[0].body, '{"type":"file","options":{"file_path":"/var/log/sealtrail/audit.log","mode":"0640"},"description":"main trail"}');
  vault.fake.routes['GET /v1/sys/audit'] = { status: 200, body: envelope({
    'trail/': { type: 'file', description: 'main trail', options: { mode: '0640', file_path: '/var/log/a.log' }, local: false, path: 'trail/' },
  }) };
  assert.equal((await run(['audit', 'list'])).stdout, 'Path      Type    Description\n----      ----    -----------\ntrail/    file    main trail\n');
  assert.equal((await run(['audit', 'list', '-detailed'])).stdout, [
    'Path      Type    Description    Replication    Options', '----      ----    -----------    -----------    -------',
    'trail/    file    main trail     replicated     file_path=/var/log/a.log mode=0640', '',
  ].join('\n'));
  vault.fake.routes['GET /v1/sys/audit'] = { status: 200, body: envelope({}) };
  const empty = await run(['audit', 'list']);
  assert.deepEqual([empty.code, empty.stdout], [2, 'No audit devices are enabled.\n']);
  vault.fake.routes['DELETE /v1/sys/audit/trail'] = { status: 204 };
  assert.equal((await run(['audit', 'disable', 'trail'])).stdout, 'Success! Disabled audit device (if it was enabled) at: trail/\n');
});

test('operator init prints shares and root token; unseal reads the key from stdin', async () => {
  vault.fake.routes['POST /v1/sys/init'] = { status: 200, body: { keys: ['aa', 'bb'], keys_base64: ['qg==', 'uw=='], root_token: 'hvs.ROOT' } };
  const init = await run(['operator', 'init', '-key-shares=2', '-key-threshold=2']);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(vault.fake.requests[0].body, '{"secret_shares":2,"secret_threshold":2}');
  assert.ok(vault.fake.requests[0].headers['x-vault-token'] === undefined, 'init is sent without a token');
  assert.ok(init.stdout.startsWith('Unseal Key 1: qg==\nUnseal Key 2: uw==\n\nInitial Root Token: hvs.ROOT\n'));
  assert.equal((await run(['operator', 'init', '-key-shares=2', '-key-threshold=3'])).code, 1);
  vault.fake.routes['POST /v1/sys/unseal'] = { status: 200, body: { ...SEAL, sealed: true, t: 2, n: 2, progress: 1, nonce: 'n1' } };
  const unseal = await run(['operator', 'unseal'], { stdin: 'qg==\n' });
  assert.equal(unseal.code, 0);
  assert.equal(vault.fake.requests.at(-1)?.body, '{"key":"qg=="}');
  assert.match(unseal.stdout, /^Unseal Progress\s+1\/2$/m);
});

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;
const HOSTILE = 'x\x1b]0;pwned\x07\x1b[2J\u202e\u009b1m\r\nfake line';

test("operator init and rekey show a server's shares, nonces and root token escaped: an answer cannot drive the terminal", async () => {
  vault.fake.routes['POST /v1/sys/init'] = { status: 200, body: { keys: ['aa'], keys_base64: [HOSTILE], root_token: HOSTILE } };
  const result = { complete: true, keys: ['aa'], keys_base64: [HOSTILE], nonce: HOSTILE, verification_required: true, verification_nonce: HOSTILE };
  vault.fake.routes['PUT /v1/sys/rekey/update'] = { status: 200, body: envelope(result) };
  vault.fake.routes['PUT /v1/sys/rekey/verify'] = { status: 200, body: envelope({ nonce: HOSTILE, complete: true }) };
  vault.fake.routes['DELETE /v1/sys/rekey/verify'] = { status: 200, body: envelope({ nonce: HOSTILE, started: true, t: 1, n: 1, progress: 0 }) };
  const runs = [
    await run(['operator', 'init', '-key-shares=1', '-key-threshold=1']),
    await run(['operator', 'rekey', '-nonce=n', 'qg==']),
    await run(['operator', 'rekey', '-verify', '-nonce=n', 'qg==']),
    await run(['operator', 'rekey', '-cancel', '-verify']),
  ];
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /x\\x1b\]0;pwned\\x07\\x1b\[2J\\u202e\\x9b1m\\x0d\\x0afake line/);
    assert.doesNotMatch(r.stdout, TERMINAL_UNSAFE);
  }
  vault.fake.routes['DELETE /v1/sys/rekey/verify'] = { status: 200, body: envelope({}) };
  const noNonce = await run(['operator', 'rekey', '-cancel', '-verify']);
  assert.deepEqual([noNonce.code, noNonce.stdout], [0, 'Success! The rekey verification starts over with the nonce .\n']);
});

test('an answer of the wrong shape ends the command with one line and exit 2, never a stack trace', async () => {
  const routes: Record<string, unknown> = {
    'GET /v1/sys/policies/acl/p': envelope({ policy: 7 }),
    'GET /v1/sys/policies/acl': envelope({ keys: { length: 1 } }),
    'GET /v1/auth/apm/role/': envelope({ keys: 'abc' }),
    'POST /v1/sys/init': { keys_base64: null, root_token: 1 },
    'GET /v1/secret/data/x': envelope({ data: { a: 1 }, metadata: META }, { warnings: [{ w: 1 }, 2] }),
  };
  for (const [route, body] of Object.entries(routes)) vault.fake.routes[route] = { status: 200, body };
  for (const argv of [['policy', 'read', 'p'], ['policy', 'list'], ['apm', 'list'], ['operator', 'init', '-key-shares=1', '-key-threshold=1']]) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^Error [^\n]*: the server's answer [^\n]*\n$/, argv.join(' '));
  }
  const warned = await run(['kv', 'get', 'secret/x']);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /^ {2}\* \{"w":1\}$/m);
  assert.match(warned.stderr, /^ {2}\* 2$/m);
  vault.fake.routes['GET /v1/secret/data/x'] = { status: 200, body: envelope({ data: { a: 1 }, metadata: META }, { warnings: 'one\x1b[2J' }) };
  const one = await run(['kv', 'get', 'secret/x']);
  assert.match(one.stderr, /^ {2}\* one\\x1b\[2J$/m);
});

test('generic read/write/delete/list, and error mapping', async () => {
  vault.fake.routes['GET /v1/sys/mounts/secret/tune?x=1'] = { status: 200, body: envelope({ default_lease_ttl: 2764800, max_lease_ttl: 2764800 }) };
  assert.equal((await run(['read', 'sys/mounts/secret/tune', 'x=1'])).stdout,
    'Key                  Value\n---                  -----\ndefault_lease_ttl    768h\nmax_lease_ttl        768h\n');
  vault.fake.routes['POST /v1/cubbyhole/a'] = { status: 403, body: { errors: ['permission denied'] } };
  const denied = await run(['write', 'cubbyhole/a', 'k=v']);
  assert.deepEqual([denied.code, denied.stdout, denied.stderr], [2, '', 'Error writing data to cubbyhole/a: permission denied\n']);
  const nodata = await run(['write', 'cubbyhole/a']);
  assert.deepEqual([nodata.code, nodata.stderr], [1, 'Must supply data or use -force\n']);
  vault.fake.routes['DELETE /v1/cubbyhole/a'] = { status: 204 };
  assert.equal((await run(['delete', 'cubbyhole/a'])).stdout, 'Success! Data deleted (if it existed) at: cubbyhole/a\n');
  const none = await run(['list', 'cubbyhole/']);
  assert.deepEqual([none.code, none.stderr], [2, 'No value found at cubbyhole/\n']);
  const missing = await run(['read', 'cubbyhole/none']);
  assert.deepEqual([missing.code, missing.stderr], [2, 'No value found at cubbyhole/none\n']);
});

test('a write that returns no data prints vault\'s success line in table format only, so -format=json output stays JSON', async () => {
  vault.fake.routes['POST /v1/sys/policy/x'] = { status: 204 };
  vault.fake.routes['POST /v1/secret/undelete/a'] = { status: 204 };
  vault.fake.routes['POST /v1/secret/destroy/a'] = { status: 204 };
  vault.fake.routes['POST /v1/secret/metadata/a'] = { status: 204 };
  const writes = [['write', 'sys/policy/x', 'policy=p'], ['kv', 'undelete', '-versions=1', 'secret/a'], ['kv', 'destroy', '-versions=1', 'secret/a'],
    ['kv', 'metadata', 'put', '-max-versions=5', 'secret/a']];
  for (const argv of writes) {
    const json = await run([...argv.slice(0, -1), '-format=json', argv.at(-1) as string]);
    assert.deepEqual([json.code, json.stdout, json.stderr], [0, '', ''], argv.join(' '));
    const env = await run(argv, { env: { SEALTRAIL_FORMAT: 'json' } });
    assert.deepEqual([env.code, env.stdout], [0, ''], argv.join(' '));
    assert.match((await run(argv)).stdout, /^Success! Data written to: /, argv.join(' '));
  }
});

test('write -field prints one field of the answer, as vault write -field does', async () => {
  vault.fake.routes['POST /v1/sys/tools/random'] = { status: 200, body: envelope({ random_bytes: 'q83v' }) };
  const field = await run(['write', '-field=random_bytes', 'sys/tools/random', 'bytes=3']);
  assert.deepEqual([field.code, field.stdout, field.stderr], [0, 'q83v', '']);
  assert.equal(vault.fake.requests.at(-1)?.body, '{"bytes":"3"}');
  const missing = await run(['write', '-field=nope', 'sys/tools/random', 'bytes=3']);
  assert.deepEqual([missing.code, missing.stderr], [1, 'Field "nope" not present in secret\n']);
});

test('usage errors exit 1, unknown commands 127, help 0', async () => {
  const unknown = await run(['frobnicate']);
  assert.deepEqual([unknown.code, unknown.stderr], [127, "error: unknown command 'frobnicate'\n"]);
  const badFlag = await run(['kv', 'get', '-bogus', 'secret/a']);
  assert.deepEqual([badFlag.code, badFlag.stderr], [1, "error: unknown option '--bogus'\n"]);
  const tooMany = await run(['policy', 'read', 'a', 'b']);
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.stderr, /too many arguments/);
  const format = await run(['status', '-format=yaml']);
  assert.deepEqual([format.code, format.stderr], [1, 'Invalid output format: yaml (expected one of: table, json)\n']);
  const help = await run(['kv', 'put', '-help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: sealtrail kv put \[options\] <path> \[data\.\.\.\]/);
  assert.equal(vault.fake.requests.length, 0, 'no request for a usage error');
});

test('a missing or unreadable local file is a local error naming the path, without a stack trace', async () => {
  const missing = join(vault.home, 'no-such-dir', 'doc.cbor');
  for (const argv of [['attest', 'verify', '--platform', 'nitro', missing], ['capsule', 'load', `@${missing}`, '--read-context', 'default']]) {
    const r = await run(argv);
    assert.deepEqual([r.code, r.stderr], [1, `sealtrail: ${missing}: no such file or directory\n`], argv.join(' '));
  }
  // A failed read has no path of its own (EISDIR): still one line, naming the file read.
  const r = await run(['attest', 'verify', '--platform', 'nitro', vault.home]);
  assert.deepEqual([r.code, r.stderr], [1, `sealtrail: ${vault.home}: illegal operation on a directory\n`]);
  assert.equal(vault.fake.requests.length, 0);
});

test('input nested deeper than a request can be written is named as the input, not as the server\'s answer', async () => {
  const deep = `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  const before = vault.fake.requests.length;
  const written = await run(['write', 'secret/data/x', '-'], { stdin: deep });
  assert.deepEqual([written.code, written.stderr], [1, 'failed to parse JSON from stdin: nested deeper than 64 levels, more than a server takes (max_request_json_depth)\n']);
  assert.equal(vault.fake.requests.length, before);
  // Data that reached the SDK and could not be written (the SDK refuses it unsent).
  const { exitFor } = await import('../../src/cli/failure.js');
  const unsent = new SealtrailRequestError('POST', 'secret/data/x', 'the body nests too deeply to write as JSON', new RangeError('Maximum call stack size exceeded'));
  assert.deepEqual(exitFor(unsent), { exitCode: 1, message: 'sealtrail: the data for secret/data/x nests too deeply to write as JSON: nothing was sent' });
  assert.deepEqual(exitFor(new RangeError('Maximum call stack size exceeded')), { exitCode: 1, message: 'sealtrail: a value nests deeper than the CLI\'s stack goes' });
});

test('a hostile answer ends a command cleanly: an auth without its fields, data nested beyond the stack', async () => {
  vault.fake.routes['GET /v1/auth/token/lookup-self'] = { status: 200, body: { ...envelope(null), auth: {} } };
  const bare = await run(['read', 'auth/token/lookup-self']);
  assert.equal(bare.code, 0, bare.stderr);
  assert.match(bare.stdout, /token_accessor\s+n\/a/);
  const deep = '{"data":{"x":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}}';
  vault.fake.routes['GET /v1/secret/deep'] = { status: 200, rawBody: deep };
  const nested = await run(['read', 'secret/deep']);
  assert.deepEqual([nested.code, nested.stderr], [2, 'Error reading secret/deep: the answer nests deeper than 2048 levels, which no Sealtrail server\'s does: not read\n']);
  // As deep as an answer may be, it is read and shown.
  vault.fake.routes['GET /v1/secret/deepest'] = { status: 200, rawBody: '{"data":{"x":' + '['.repeat(2046) + ']'.repeat(2046) + '}}' };
  for (const format of ['table', 'json']) {
    const deepest = await run(['read', `-format=${format}`, 'secret/deepest']);
    assert.deepEqual([deepest.code, deepest.stderr], [0, ''], format);
  }
});

test('answers that did nothing are errors, not successes: a redirect not followed, an empty body, a lookup without data', async () => {
  for (const status of [300, 303, 304]) {
    vault.fake.routes['POST /v1/sys/policy/x'] = { status, rawBody: '' };
    const written = await run(['write', 'sys/policy/x', 'policy=abc']);
    assert.equal(written.code, 2, `${status}: ${written.stdout}`);
    assert.match(written.stderr, new RegExp(`answered ${status}, a redirect that is not followed`));
    assert.doesNotMatch(written.stdout, /Success/);
  }
  vault.fake.routes['POST /v1/secret/data/app'] = { status: 204 };
  const put = await run(['kv', 'put', 'secret/app', 'k=v']);
  assert.deepEqual([put.code, put.stderr], [2, 'Error writing data to secret/data/app: the server answered with no body\n']);
  vault.fake.routes['GET /v1/auth/token/lookup-self'] = { status: 200, body: envelope(null) };
  const login = await run(['login', 'hvs.some-token']);
  assert.equal(login.code, 2);
  assert.match(login.stderr, /has no token data/);
  assert.doesNotMatch(login.stderr, /\n\s+at /, 'no stack trace');
});

test('a request the SDK refuses for its path or token says why, not that its data cannot be written', async () => {
  const before = vault.fake.requests.length;
  const dotted = await run(['read', 'secret/../sys/policies/acl/root']);
  assert.deepEqual([dotted.code, dotted.stderr], [1, 'sealtrail: secret/../sys/policies/acl/root: the path has a "." or ".." segment, which would name another path: nothing was sent\n']);
  const broken = await run(['read', 'secret/data/x'], { env: { SEALTRAIL_TOKEN: 'hvs.LEAKME\u2019x' } });
  assert.deepEqual([broken.code, broken.stderr], [1, 'sealtrail: secret/data/x: the token holds a character an HTTP header cannot carry (a line break, a control character or a non-Latin-1 character): nothing was sent\n']);
  assert.equal(vault.fake.requests.length, before);
});
