/**
 * The console's serving at /ui/ on a real dev server, from a stand-in build: the shell and client
 * routes, immutable hashed assets, the CSP on every answer, no listing and no way out of the
 * build directory; without a build, a 503 page; `ui = false` turns it off; production's default.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, uiEnabled } from '../../src/config/index.js';
import { CONSOLE_CSP } from '../../src/server/index.js';
import { startDevServer, type TestServer } from '../helpers/server.js';

const INDEX = '<!doctype html><title>console</title><script type="module" src="/ui/assets/app-3f2a1b.js"></script>\n';
const ASSET = 'console.log("app");\n';

let dir: string;
let server: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-ui-'));
  mkdirSync(join(dir, 'build', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'build', 'index.html'), INDEX);
  writeFileSync(join(dir, 'build', 'assets', 'app-3f2a1b.js'), ASSET);
  writeFileSync(join(dir, 'build', '.hidden'), 'a dotfile');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  server = await startDevServer({ uiDir: join(dir, 'build') });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${server.address}${path}`, { redirect: 'manual', ...init });

/** A request with its path sent exactly as given (fetch would resolve dot segments). */
function rawRequest(address: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(address);
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject).end(body);
  });
}

/** The console's headers, on any answer. */
function assertConsoleHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  assert.equal(headers['content-security-policy'], CONSOLE_CSP, what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
}

test('/ui redirects to /ui/, which serves the shell with a strict CSP and no caching', async () => {
  const bare = await get('/ui');
  assert.equal(bare.status, 308);
  assert.equal(bare.headers.get('location'), '/ui/');
  const withQuery = await get('/ui?entity_id=e1');
  assert.equal(withQuery.status, 308);
  assert.equal(withQuery.headers.get('location'), '/ui/?entity_id=e1');
  const shell = await get('/ui/');
  assert.equal(shell.status, 200);
  assert.equal(await shell.text(), INDEX);
  assert.match(shell.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(shell.headers.get('content-security-policy'), CONSOLE_CSP);
  assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(shell.headers.get('cache-control'), 'no-cache');
  assert.equal(shell.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(shell.headers.get('x-frame-options'), 'DENY');
});

test('client routes under /ui/ answer the shell; hashed assets are immutable; a missing asset is a 404', async () => {
  for (const route of ['/ui/ledger', '/ui/entity/abc%2Fdef', '/ui/operations?x=1']) {
    const r = await get(route);
    assert.equal(r.status, 200, route);
    assert.equal(await r.text(), INDEX, route);
    assert.equal(r.headers.get('content-security-policy'), CONSOLE_CSP, route);
  }
  const asset = await get('/ui/assets/app-3f2a1b.js');
  assert.equal(asset.status, 200);
  assert.equal(await asset.text(), ASSET);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('content-security-policy'), CONSOLE_CSP);
  const missing = await get('/ui/assets/app-000000.js');
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), 'not found');
});

test('serving the console adds few close listeners to a response: no MaxListenersExceededWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => { if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message); };
  process.on('warning', onWarning);
  try {
    for (const method of ['GET', 'HEAD']) {
      for (const route of ['/ui/', '/ui/ledger', '/ui/entity/abc', '/ui/index.html', '/ui/assets/app-3f2a1b.js']) {
        const r = await get(route, { method });
        assert.equal(r.status, 200, `${method} ${route}`);
        await r.arrayBuffer();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

test('no directory listing and no path out of the build directory', async () => {
  const listing = await get('/ui/assets/');
  assert.notEqual(listing.status, 200);
  assert.doesNotMatch(await listing.text(), /app-3f2a1b/);
  for (const path of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/..%2fsecret.txt', '/ui/assets/..%2f..%2fsecret.txt', '/ui/%2e%2e%2fsecret.txt', '/ui/.%2e/secret.txt']) {
    const r = await get(path);
    assert.doesNotMatch(await r.text(), /outside the build/, path);
  }
});

test('every refusal under /ui/ carries the console\'s headers and a fixed text, never the request\'s URL or values', async () => {
  const cases: [string, string, number, Record<string, string>?, string?][] = [
    ['GET', '/ui/assets/%C0%AE%3Cscript%3E', 400],
    ['GET', '/ui/%C0', 400],
    ['HEAD', '/ui/%E0%A4%A', 400],
    ['GET', '/ui/assets/app-3f2a1b.js%00', 400],
    ['GET', '/ui/assets/', 403],
    ['GET', '/ui/.hidden', 403],
    ['GET', '/ui/assets/..%2f..%2fsecret.txt', 403],
    ['GET', '/ui/../secret.txt', 403],
    ['POST', '/ui/ledger', 415, { 'content-type': 'text/x-script' }, '<script>'],
    ['DELETE', '/ui/ledger', 405],
    ['GET', '/ui/assets/app-000000.js', 404],
  ];
  for (const [method, path, status, headers, body] of cases) {
    const r = await rawRequest(server.address, method, path, headers, body);
    const what = `${method} ${path}`;
    assert.equal(r.status, status, `${what}: ${r.body}`);
    assertConsoleHeaders(r.headers, what);
    assert.match(String(r.headers['content-type']), /^text\/plain/, what);
    if (method !== 'HEAD') assert.match(r.body, /^(bad request|forbidden|not found|method not allowed|unsupported media type)$/, what);
  }
});

test('only GET and HEAD', async () => {
  const r = await get('/ui/ledger', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.notEqual(r.status, 200);
  assert.doesNotMatch(await r.text(), /console/);
});

test('without a build, /ui/ is a 503 page that says how to build it, and the server keeps serving', async () => {
  const s = await startDevServer({ uiDir: join(dir, 'nothing-here') });
  try {
    for (const path of ['/ui/', '/ui/ledger']) {
      const r = await fetch(`${s.address}${path}`);
      assert.equal(r.status, 503, path);
      assert.match(await r.text(), /console is not built.*npm run build/s);
    }
    const bad = await rawRequest(s.address, 'GET', '/ui/assets/%C0%AE%3Cscript%3E');
    assert.deepEqual([bad.status, bad.body], [400, 'bad request']);
    assertConsoleHeaders(bad.headers, 'a URL that does not decode, without a build');
    assert.equal((await fetch(`${s.address}/v1/sys/health`)).status, 200);
  } finally {
    await s.stop();
  }
});

test('ui = false turns the console off in dev mode; production serves it only with ui = true', async () => {
  const configPath = join(dir, 'no-ui.hcl');
  writeFileSync(configPath, 'ui = false\n');
  const s = await startDevServer({ uiDir: join(dir, 'build'), configPath });
  try {
    assert.equal((await fetch(`${s.address}/ui/`)).status, 404);
  } finally {
    await s.stop();
  }
  assert.equal(uiEnabled(await parseConfig('', 'a.hcl'), true), true);
  assert.equal(uiEnabled(await parseConfig('', 'a.hcl'), false), false);
  assert.equal(uiEnabled(await parseConfig('ui = true\n', 'a.hcl'), false), true);
  assert.equal(uiEnabled(await parseConfig('ui = false\n', 'a.hcl'), true), false);
  await assert.rejects(parseConfig('ui = "maybe"\n', 'a.hcl'), /ui/);
});
