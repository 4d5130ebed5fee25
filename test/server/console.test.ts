/**
 * The console's serving at /ui/ on a real dev server, from a stand-in build: the shell and client
 * routes, immutable hashed assets, the CSP on every answer, no listing and no way out of the
 * build directory; without a build, a 503 page; `ui = false` turns it off; production's default.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  server = await startDevServer({ uiDir: join(dir, 'build') });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${server.address}${path}`, { redirect: 'manual', ...init });

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

test('no directory listing and no path out of the build directory', async () => {
  const listing = await get('/ui/assets/');
  assert.notEqual(listing.status, 200);
  assert.doesNotMatch(await listing.text(), /app-3f2a1b/);
  for (const path of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/..%2fsecret.txt', '/ui/assets/..%2f..%2fsecret.txt', '/ui/%2e%2e%2fsecret.txt', '/ui/.%2e/secret.txt']) {
    const r = await get(path);
    assert.doesNotMatch(await r.text(), /outside the build/, path);
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
