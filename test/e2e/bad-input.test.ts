/**
 * Acceptance: bad input gets the right status and a clear message, no stack trace, no echo of
 * the input, and changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { runServer } from '../../src/app/run.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let base: string;
let token: string;

/** The server's data dir, which also holds its config file; removed after the tests. */
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-bad-'));
  const configPath = join(dir, 'limits.hcl');
  writeFileSync(configPath, 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n  max_request_size = 4096\n}\n');
  server = await startDevServer({ configPath, devDataDir: dir });
  base = server.address;
  token = server.rootToken;
  await call(base, 'POST', 'secret/data/keep', { token, body: { data: { v: 'original' } } });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function unchanged() {
  const r = await call(base, 'GET', 'secret/data/keep', { token });
  assert.equal(r.json.data.data.v, 'original');
  assert.equal(r.json.data.metadata.version, 1);
}

function assertCleanError(r: { text: string; json: any }, secret?: string) {
  assert.ok(Array.isArray(r.json?.errors), `expected {"errors": [...]}, got ${r.text}`);
  assert.doesNotMatch(r.text, /at .*\.(ts|js):\d+/, 'no stack trace');
  if (secret) assert.ok(!r.text.includes(secret), 'input echoed in error');
}

test('malformed JSON is a 400 that names the problem and writes nothing', async () => {
  const r = await call(base, 'POST', 'secret/data/keep', { token, rawBody: '{"data": {"v": "s3cret-in-body"', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assertCleanError(r, 's3cret-in-body');
  assert.match(r.json.errors[0], /^failed to parse JSON input/);
  await unchanged();
});

test('a secret sent without quotes is in neither the error, the audit log nor the journal', async () => {
  const r = await call(base, 'POST', 'secret/data/keep', { token, rawBody: '{"data":{"password": hunter2hunter2}}', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { errors: ['failed to parse JSON input: invalid character at position 21'] });
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  assert.ok(files.some((f) => f.name === 'audit.log'));
  for (const f of files) assert.ok(!readFileSync(join(f.parentPath, f.name)).includes('hunter2'), `${f.name} holds the secret`);
  await unchanged();
});

test('a JSON body that is not an object is refused', async () => {
  const r = await call(base, 'POST', 'secret/data/keep', { token, rawBody: '["a"]', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0], /must be a JSON object/);
  await unchanged();
});

test('non-JSON content types get 415; curl-style form content type is read as JSON like Vault does', async () => {
  for (const ct of ['application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
    const r = await call(base, 'POST', 'secret/data/keep', { token, rawBody: '{"data":{"v":"x"}}', headers: { 'content-type': ct } });
    assert.equal(r.status, 415, ct);
    assertCleanError(r);
    assert.match(r.json.errors[0], /unsupported content type/);
  }
  await unchanged();
  const curl = await call(base, 'POST', 'secret/data/form', { token, rawBody: '{"data":{"v":"ok"}}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(curl.status, 200);
});

test('a body over max_request_size gets 413 and changes nothing', async () => {
  const r = await call(base, 'POST', 'secret/data/keep', { token, body: { data: { v: 'x'.repeat(10_000) } } });
  assert.equal(r.status, 413);
  assertCleanError(r);
  assert.match(r.json.errors[0], /too large/);
  await unchanged();
});

test('unknown paths are 404 with Vault\'s message', async () => {
  const r = await call(base, 'GET', 'nope/thing', { token });
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { errors: ['no handler for route "nope/thing". route entry not found.'] });
  const outside = await fetch(`${base}/not-v1`);
  assert.equal(outside.status, 404);
});

test('a method the Vault API does not take (HEAD but on sys/health) is 405 with Vault\'s empty error list, and not audited', async () => {
  const auditLog = readdirSync(dir, { recursive: true, withFileTypes: true }).find((f) => f.isFile() && f.name === 'audit.log')!;
  const auditSize = () => readFileSync(join(auditLog.parentPath, auditLog.name)).length;
  const before = auditSize();
  // node:http, not fetch: fetch refuses to send TRACE.
  const send = (method: string, path: string) => new Promise<{ status?: number; cacheControl?: string; text: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers: { 'x-vault-token': token } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, cacheControl: res.headers['cache-control'], text }));
    });
    req.on('error', reject).end();
  });
  for (const method of ['OPTIONS', 'TRACE', 'PROPFIND']) {
    assert.deepEqual(await send(method, '/v1/secret/data/keep'), { status: 405, cacheControl: 'no-store', text: '{"errors":[]}' }, method);
  }
  // HEAD too, as in Vault: only sys/health answers it. Never a read of the secret, so nothing audits it as returned.
  for (const path of ['/v1/secret/data/keep', '/v1/secret/metadata/keep', '/v1/sys/seal-status', '/v1/sys/leader', '/v1/auth/token/lookup-self', '/v1//x']) {
    assert.deepEqual(await send('HEAD', path), { status: 405, cacheControl: 'no-store', text: '' }, `HEAD ${path}`);
  }
  assert.equal(auditSize(), before);
  const health = await fetch(`${base}/v1/sys/health`, { method: 'HEAD' });
  assert.deepEqual([health.status, health.headers.get('content-type'), await health.text()], [200, 'application/json', '']);
  assert.equal((await fetch(`${base}/v1/sys/health?activecode=299`, { method: 'HEAD' })).status, 299);
  // Outside the API a path is simply not found.
  assert.equal((await send('OPTIONS', '/not-v1')).status, 404);
  await unchanged();
});

test('invalid policy HCL is a 400 with the parser\'s message and no policy is stored', async () => {
  const r = await call(base, 'PUT', 'sys/policies/acl/broken', { token, body: { policy: 'path "secret/*" { capabilities = ["read"' } });
  assert.equal(r.status, 400);
  assertCleanError(r);
  assert.match(r.json.errors[0], /polic/i);
  const list = await call(base, 'LIST', 'sys/policies/acl', { token });
  assert.ok(!list.json.data.keys.includes('broken'));
  const badCap = await call(base, 'PUT', 'sys/policies/acl/broken', { token, body: { policy: 'path "x" { capabilities = ["fly"] }' } });
  assert.equal(badCap.status, 400);
});

test('wrong methods and bad mount input are refused with clear errors', async () => {
  const r = await call(base, 'POST', 'sys/mounts/kv1', { token, body: { type: 'nonsense' } });
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0], /^"type" is not a supported secrets engine; known types: /);
  const mounts = await call(base, 'GET', 'sys/mounts', { token });
  assert.equal(mounts.json.data['kv1/'], undefined);
  const tune = await call(base, 'POST', 'sys/mounts/secret/tune', { token, body: { default_lease_ttl: 'forever' } });
  assert.equal(tune.status, 400);
});

test('comma-separated lists are bounded: more than 1,000 policies or versions is a 400, and nothing changes', async () => {
  const listOf = (item: string, n: number) => Array.from({ length: n }, () => item).join(',');
  const created = await call(base, 'POST', 'auth/token/create', { token, body: { policies: listOf('a', 1001) } });
  assert.deepEqual([created.status, created.json], [400, { errors: ['"policies" holds more than 1000 items'] }]);
  assert.equal((await call(base, 'POST', 'auth/token/create', { token, body: { policies: listOf('a', 1000) } })).status, 200);
  const destroyed = await call(base, 'POST', 'secret/destroy/keep', { token, body: { versions: listOf('1', 1001) } });
  assert.deepEqual([destroyed.status, destroyed.json], [400, { errors: ['"versions" holds more than 1000 versions'] }]);
  await unchanged();
});

test('invalid configuration keys are refused with the key named', async () => {
  await assert.rejects(parseConfig('listener "tcp" {\n  adress = "127.0.0.1:1"\n}\n'), /unknown key "adress" in listener "tcp"/);
  await assert.rejects(parseConfig('storage "etcd" {}\n'), /storage "etcd" is not supported/);
  await assert.rejects(parseConfig('listener "tcp" {\n'), /invalid HCL/);
  await assert.rejects(parseConfig('log_level = "loud"\n'), /log_level must be one of/);
  const configDir = mkdtempSync(join(tmpdir(), 'sealtrail-bad-'));
  try {
    const path = join(configDir, 'bad.hcl');
    writeFileSync(path, 'max_lease_ttl = "soon"\n');
    await assert.rejects(runServer({ configPath: path, handleSignals: false, out: () => {} }), /max_lease_ttl must be a duration/);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
});
