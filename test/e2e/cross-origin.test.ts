/**
 * Requests a browser sends for a page on another origin: a "simple" request (text/plain POST, no
 * custom header) is sent without a preflight and would be acted on, though its answer cannot be
 * read. One carrying an `Origin` that is not the server's own is refused before it acts — sys/init
 * on a fresh server, unseal, a login's rate limit, the AWS endpoint, LIST — and is not audited;
 * requests without `Origin` and same-origin ones are served.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const EVIL = 'https://evil.example';
const REFUSED = { errors: ['cross-origin requests are not allowed'] };

/** What a page's `fetch(url, {method: 'POST', mode: 'no-cors', body})` sends: text/plain, its origin. */
function simplePost(base: string, path: string, body: unknown, origin: string) {
  return call(base, 'POST', path, { rawBody: JSON.stringify(body), headers: { 'content-type': 'text/plain;charset=UTF-8', origin } });
}

/** One raw request on its own connection (LIST, which fetch cannot send); the whole answer. */
function raw(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(Number(port), hostname, () => s.write(request));
    s.setEncoding('latin1').on('data', (d: string) => { text += d; }).on('end', () => resolve(text)).on('error', reject);
  });
}

test('a fresh server: a foreign page can neither initialize nor unseal it; its own origin can', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-origin-'));
  const configPath = join(dir, 'sealtrail.hcl');
  writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'sealtrail.db')}"\n}\nlog_level = "error"\n`);
  const server = await runServer({ configPath, handleSignals: false, out: () => {} });
  try {
    const base = server.address;
    const own = base;
    for (const origin of [EVIL, 'null', `${own}.evil.example`, own.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`)]) {
      const r = await simplePost(base, 'sys/init', { secret_shares: 1, secret_threshold: 1 }, origin);
      assert.equal(r.status, 403, origin);
      assert.deepEqual(r.json, REFUSED, origin);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    }
    assert.equal((await call(base, 'GET', 'sys/init')).json.initialized, false);

    // Same origin (the console at /ui/): served.
    const init = await simplePost(base, 'sys/init', { secret_shares: 2, secret_threshold: 2 }, own);
    assert.equal(init.status, 200);
    const first = await call(base, 'PUT', 'sys/unseal', { body: { key: init.json.keys[0] } });
    assert.equal(first.json.progress, 1);
    // A foreign page cannot reset the unseal progress the operator has made.
    assert.equal((await simplePost(base, 'sys/unseal', { reset: true }, EVIL)).status, 403);
    assert.equal((await call(base, 'GET', 'sys/seal-status')).json.progress, 1);
    const done = await call(base, 'PUT', 'sys/unseal', { body: { key: init.json.keys[1] } });
    assert.equal(done.json.sealed, false);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

let server: TestServer;
let auditFile: string;

before(async () => {
  server = await startDevServer();
  auditFile = join(mkdtempSync(join(tmpdir(), 'sealtrail-origin-audit-')), 'audit.log');
  const enabled = await call(server.address, 'PUT', 'sys/audit/origin', { token: server.rootToken, body: { type: 'file', options: { file_path: auditFile } } });
  assert.equal(enabled.status, 204);
});
after(async () => {
  await server?.stop();
  rmSync(join(auditFile, '..'), { recursive: true, force: true });
});

test('a foreign origin is refused on every method, before rate limits, and not audited', async () => {
  const base = server.address;
  const token = server.rootToken;
  assert.equal((await call(base, 'PUT', 'sys/quotas/rate-limit/login', { token, body: { path: 'auth/apm/login', rate: 1, interval: '1m' } })).status, 204);

  for (let i = 0; i < 3; i++) {
    const login = await simplePost(base, 'auth/apm/login', { role: 'origin-canary' }, EVIL);
    assert.equal(login.status, 403);
    assert.deepEqual(login.json, REFUSED);
  }
  // The quota's one request is still there: the refused ones never counted.
  assert.notEqual((await call(base, 'POST', 'auth/apm/login', { body: { role: 'origin-canary' } })).status, 429);

  for (const method of ['GET', 'PUT', 'DELETE']) {
    const r = await call(base, method, 'secret/data/origin-canary', { token, headers: { origin: EVIL }, ...(method === 'PUT' ? { body: { data: { a: 1 } } } : {}) });
    assert.equal(r.status, 403, method);
    assert.deepEqual(r.json, REFUSED, method);
  }
  assert.equal((await call(base, 'GET', 'secret/data/origin-canary', { token })).status, 404);

  const list = await raw(base, `LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: ${new URL(base).host}\r\nOrigin: ${EVIL}\r\nX-Vault-Token: ${token}\r\nConnection: close\r\n\r\n`);
  assert.match(list, /^HTTP\/1\.1 403 /);
  assert.ok(list.endsWith(JSON.stringify(REFUSED)));

  // Without Origin and with this server's own, served as before.
  assert.equal((await call(base, 'GET', 'secret/data/origin-canary', { token, headers: { origin: base } })).status, 404);
  assert.equal((await call(base, 'GET', 'sys/health')).status, 200);

  const audit = readFileSync(auditFile, 'utf8');
  assert.equal(audit.split('\n').filter((l) => l.includes('secret/data/origin-canary')).length, 4, 'only the two reads without a foreign Origin');
});

test('the AWS endpoint refuses a foreign origin in its own error shape, before its signature is read', async () => {
  const r = await fetch(`${server.address}/`, {
    method: 'POST', headers: { 'content-type': 'text/plain', 'x-amz-target': 'TrentService.GenerateRandom', origin: EVIL }, body: '{"NumberOfBytes":16}',
  });
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.ok(r.headers.get('x-amzn-requestid'));
  assert.deepEqual(await r.json(), { __type: 'AccessDeniedException', message: 'cross-origin requests are not allowed' });
});
