/**
 * Malformed request paths on the real server over raw HTTP (fetch would normalise them): each is
 * answered 4xx at once, LIST included, and the server keeps answering sys/health meanwhile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { checkRequestPath } from '../../src/server/request-path.js';
import { startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let port: number;

before(async () => {
  server = await startDevServer();
  port = Number(new URL(server.address).port);
});
after(async () => { await server?.stop(); });

/** One request with the path sent exactly as given (node:http does not normalise it). */
function rawGet(method: string, path: string, token?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: token ? { 'x-vault-token': token } : {}, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.setTimeout(2000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** A raw LIST request line (Node's HTTP client and parser do not know the verb). */
function rawList(path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`timeout: LIST ${path}`)); }, 2000);
    sock.on('connect', () => sock.write(`LIST ${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${server.rootToken}\r\n\r\n`));
    sock.on('data', (d) => { text += d; });
    sock.on('end', () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), ms: performance.now() - started });
    });
    sock.on('error', reject);
  });
}

const MALFORMED = ['/v1/sys/policies/acl/%E2%80%AEtoor', '/v1/secret/data/one%C2%85x', '/v1/secret/data/one%E2%80%8B', '/v1//x', '/v1/', '/v1//', '/v1/%2F', '/v1/%2Fsecret/data/x', '/v1/secret//data/x', '/v1/secret/data/../x',
  '/v1/secret/data/./x', '/v1/secret/data/x%00', '/v1/%2E%2E/sys/health', '/v1//sys/health'];

test('the path check refuses empty, dot and control segments and keeps folders', () => {
  for (const ok of ['', 'secret/data/a', 'secret/metadata/a/', 'secret/data/.env', 'secret/data/a..b', 'secret/data/a b', 'secret/data/café-数据-é', 'secret/data/€~^`|{}[]<>', 'secret/data/😀']) {
    assert.equal(checkRequestPath(ok), ok);
  }
  // Not printable as Go's unicode.IsPrint (and so Vault) judges: controls, C1 controls, format
  // characters (RTL override, zero-width space, BOM), separators, other spaces, private use, unassigned.
  const nonPrintable = ['\u0000', '\t', '\u007f', '\u0085', '\u202e', '\u200b', '\ufeff', '\u2028', '\u2029', '\u00a0', '\u3000', '\ue000', '\u0378'];
  for (const bad of ['/', '//x', '/secret/data/x', 'secret//x', 'secret/./x', 'secret/../x', '..', 'x/\u0000', 'x\ny', ...nonPrintable.map((c) => `secret/data/one${c}`)]) {
    assert.throws(() => checkRequestPath(bad), (e: any) => e.code === 'invalid_path', JSON.stringify(bad));
  }
});

test('every malformed path gets a 4xx at once (within 1 s: no hang, no slow pattern), with GET, LIST, and with or without a token', async () => {
  await rawGet('GET', '/v1/sys/health'); // warm-up
  // On a busy machine one answer may be late for reasons of its own: a second try must be on time.
  const timely = async (send: () => Promise<{ status: number; ms: number }>) => {
    const first = await send();
    return first.ms < 1000 ? first : send();
  };
  for (const path of MALFORMED) {
    for (const send of [() => rawGet('GET', path), () => rawGet('GET', path, server.rootToken), () => rawList(path)]) {
      const r = await timely(send);
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
      assert.ok(r.ms < 1000, `${path}: ${r.ms.toFixed(1)} ms`);
    }
  }
});

test('LIST refuses dot segments as GET does, before its replay could resolve them', async () => {
  // The LIST fallback replays the request through a URL parser: `secret/../sys/mounts` must not
  // become a LIST of `sys/mounts`, nor `%2e%2e` a parent directory.
  for (const path of ['/v1/secret/../sys/mounts', '/v1/secret/metadata/%2e%2e/', '/v1/secret/./metadata/', '/v1/secret/metadata/.%2E/?x=1']) {
    assert.equal((await rawList(path)).status, 400, path);
    assert.equal((await rawGet('GET', path, server.rootToken)).status, 400, path);
  }
  assert.equal((await rawList('/v1/secret/metadata/')).status < 500, true);
});

/** One raw request on its own connection: the status line and the body. */
function rawAnswer(method: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`timeout: ${method} ${target}`)); }, 2000);
    sock.on('connect', () => sock.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${server.rootToken}\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => { text += d; });
    sock.on('end', () => {
      clearTimeout(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.on('error', reject);
  });
}

test('LIST reads a path byte for byte as GET ?list=true does: a backslash is a character, never a separator', async () => {
  const written = await fetch(`${server.address}/v1/secret/data/app/one`, { method: 'POST', headers: { 'x-vault-token': server.rootToken }, body: '{"data":{"k":"v"}}' });
  assert.equal(written.status, 200);
  // The replay's URL parser read `\` as `/`: `app\..\` listed secret/metadata/, `sys\policy` the policies.
  const cases: Array<[string, number]> = [
    ['/v1/secret/metadata/app\\..\\', 404], ['/v1/sys\\policy', 404], ['/v1/secret\\metadata/', 404], ['/v1/secret/metadata/app\\', 404],
    ['/v1/secret/metadata/?x=a\\b', 200],
    // Bytes llhttp refuses in a direct request's target are refused in a LIST's too.
    ['/v1/secret/metadata/\u00e9/', 400],
    ['/v1/secret/metadata/%FF/', 400],
  ];
  for (const [path, status] of cases) {
    const list = await rawAnswer('LIST', path);
    const get = await rawAnswer('GET', `${path}${path.includes('?') ? '&' : '?'}list=true`);
    const same = (body: string) => body.replace(/"request_id":"[^"]*"/, '');
    assert.deepEqual([list.status, same(list.body)], [get.status, same(get.body)], path);
    assert.equal(list.status, status, path);
    if (path.includes('%FF')) assert.deepEqual(JSON.parse(list.body), { errors: ['invalid request path: malformed percent-encoding'] });
  }
});

test('a repeated list parameter is read by its first value, as Vault reads it (url.Values.Get)', async () => {
  const written = await fetch(`${server.address}/v1/secret/data/listed/one`, { method: 'POST', headers: { 'x-vault-token': server.rootToken }, body: '{"data":{"k":"v"}}' });
  assert.equal(written.status, 200);
  const keys = async (query: string) => {
    const r = await fetch(`${server.address}/v1/secret/metadata/listed/${query}`, { headers: { 'x-vault-token': server.rootToken } });
    return [r.status, ((await r.json()) as { data?: { keys?: string[] } }).data?.keys];
  };
  assert.deepEqual(await keys('?list=true&list=true'), [200, ['one']]);
  assert.deepEqual(await keys('?list=true&list=false'), [200, ['one']]);
  // A read, answered as the read without the parameter is.
  assert.deepEqual(await keys('?list=false&list=true'), await keys(''));
});

/** A small deterministic generator (xorshift), so a failure names a reproducible seed. */
function rng(seed: number) {
  let x = seed || 1;
  return (n: number) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const PIECES = ['/', '//', '%2F', '%2f', '.', '..', '%2E', 'x', 'secret', 'data', 'metadata', 'sys', 'auth', 'apm', 'health', '%00', '%', '%E0%A4', '~', '?', '#', '?list=true', 'a'.repeat(300)];

test('a bounded router fuzz: 300 random paths answer below 500, fast, while sys/health keeps answering', async () => {
  const next = rng(0x5ea17a11);
  const paths: string[] = [];
  for (let i = 0; i < 300; i++) {
    let p = '/v1/';
    const n = 1 + next(12);
    for (let j = 0; j < n; j++) p += PIECES[next(PIECES.length)];
    if (next(10) === 0) p += '/x'.repeat(2000); // very long: 4000 bytes of segments
    paths.push(p);
  }
  const started = performance.now();
  let healthAnswers = 0;
  let fuzzing = true;
  const health = (async () => {
    while (fuzzing) {
      const r = await rawGet('GET', '/v1/sys/health');
      assert.equal(r.status, 200);
      healthAnswers++;
    }
  })();
  try {
    for (let i = 0; i < paths.length; i += 10) {
      const batch = paths.slice(i, i + 10);
      const results = await Promise.all(batch.map((p, k) => (k % 3 === 0 ? rawList(p) : rawGet('GET', p, k % 3 === 1 ? server.rootToken : undefined))));
      results.forEach((r, k) => assert.ok(r.status >= 200 && r.status < 500 && r.ms < 1000, `${batch[k].slice(0, 120)}: ${r.status} in ${r.ms.toFixed(0)} ms`));
    }
  } finally {
    fuzzing = false;
    await health;
  }
  assert.ok(healthAnswers > 0, 'sys/health answered during the fuzz');
  assert.ok(performance.now() - started < 15_000);
});

test('a path with a character that is not printable is refused before it is read: no audit entry carries it', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const auditLog = () => readFileSync(join(server.dir, 'audit.log'), 'utf8');
  const before = auditLog().length;
  for (const path of ['/v1/sys/policies/acl/%E2%80%AEtoor%C2%85x', '/v1/secret/data/one%E2%80%8B', '/v1/secret/data/one%E2%80%A8']) {
    assert.equal((await rawGet('GET', path)).status, 400, path);
    assert.equal((await rawGet('GET', path, server.rootToken)).status, 400, path);
  }
  const added = auditLog().slice(before);
  for (const c of ['\u202e', '\u0085', '\u200b', '\u2028']) {
    const escaped = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    assert.ok(!added.includes(c) && !added.toLowerCase().includes(escaped), `audit log holds ${escaped}`);
  }
});
