/**
 * Bodies before the token is known, and JSON shape limits, on the real server: a request without
 * a valid token may send 64 KiB (a login path 1 MiB), over-deep or over-large JSON is refused at
 * the edge, every refusal is answered at once and audited without its data, and memory stays
 * bounded under many large bodies at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let port: number;

before(async () => {
  server = await startDevServer();
  port = Number(new URL(server.address).port);
});
after(async () => { await server?.stop(); });

interface Answer { status: number; text: string; ms: number; connection?: string }

/**
 * POSTs `body`, or `chunks`: one buffer written `times` times, chunked unless `declared` (then
 * with its Content-Length), so a large body costs this process one chunk.
 */
function post(path: string, opts: { token?: string; body?: string | Buffer; chunks?: { chunk: Buffer; times: number; declared?: boolean } }): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.token) headers['x-vault-token'] = opts.token;
    if (opts.chunks?.declared) headers['content-length'] = String(opts.chunks.chunk.length * opts.chunks.times);
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers, agent: false }, (res: IncomingMessage) => {
      let text = '';
      res.on('data', (d) => { if (text.length < 10_000) text += d; });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started, connection: res.headers.connection });
        req.destroy();
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`timeout: ${path}`)));
    // The server may close the connection before the body is sent in full: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) => { if (!['EPIPE', 'ECONNRESET'].includes(err.code ?? '')) reject(err); });
    if (opts.chunks) {
      let left = opts.chunks.times;
      const pump = () => {
        while (left > 0 && !req.destroyed) {
          left--;
          if (!req.write(opts.chunks!.chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    } else {
      req.end(opts.body ?? '');
    }
  });
}

function auditEntries(): any[] {
  return readFileSync(`${server.dir}/audit.log`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const secretBody = (bytes: number) => JSON.stringify({ data: { v: 'x'.repeat(bytes) } });


/** A dev server whose listener carries `limits` (HCL lines), with its data in a directory of its own. */
async function withListenerLimits(limits: string, use: (server: TestServer) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-limits-'));
  const configPath = join(dir, 'limits.hcl');
  writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n${limits}}\n`);
  const server = await startDevServer({ configPath, devDataDir: dir });
  try {
    await use(server);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('without a valid token, a body over 64 KiB is refused with 413 at once, audited without its data', async () => {
  const marker = `bulky-${Date.now()}`;
  for (const token of [undefined, 'not-a-token']) {
    const r = await post(`/v1/secret/data/${marker}`, { token, body: secretBody(200 * 1024) });
    assert.equal(r.status, 413, r.text);
    assert.deepEqual(JSON.parse(r.text), { errors: ['request body too large'] });
    assert.equal(r.connection, 'close');
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  }
  const chunked = await post(`/v1/secret/data/${marker}`, { chunks: { chunk: Buffer.alloc(16 * 1024, 0x20), times: 64 } });
  assert.equal(chunked.status, 413);

  // Each refusal is a request entry and a response entry sharing its id (the error as Vault's
  // multierror in the response entry).
  const refused = auditEntries().filter((e) => e.request?.path === `secret/data/${marker}`);
  assert.deepEqual(refused.map((e) => e.type), ['request', 'response', 'request', 'response', 'request', 'response']);
  for (const [i, e] of refused.entries()) {
    assert.equal(e.request.id, refused[i - (i % 2)].request.id);
    assert.equal(e.error, e.type === 'request' ? 'request body too large' : '1 error occurred:\n\t* request body too large\n\n');
    assert.equal(e.request.data, undefined, 'the body is not in the audit entry');
  }
  // Within the allowance, the same request is refused for its token as before, with its data audited.
  const small = await post(`/v1/secret/data/${marker}`, { body: secretBody(100) });
  assert.equal(small.status, 403);
  const last = auditEntries().filter((e) => e.request?.path === `secret/data/${marker}` && e.type === 'request').at(-1);
  assert.equal(last.error, 'permission denied');
  assert.match(last.request.data.data.v, /^hmac-sha256:/);
});

test('without a valid token, JSON of more than 1000 entries is refused with 413, audited without its data', async () => {
  const entries = (n: number) => JSON.stringify({ data: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, ''])) });
  for (const token of [undefined, 'not-a-token']) {
    const r = await post('/v1/secret/data/entries', { token, body: entries(1000) });
    assert.equal(r.status, 413, r.text);
    assert.deepEqual(JSON.parse(r.text), { errors: ['request JSON has more than 1000 object members and array elements'] });
  }
  const login = await post('/v1/auth/apm/v0/attest/nitro/auth', { body: entries(1000) });
  assert.equal(login.status, 413);
  const refused = auditEntries().filter((e) => e.request?.path === 'secret/data/entries');
  assert.deepEqual(refused.map((e) => e.type), ['request', 'response', 'request', 'response']);
  for (const e of refused) assert.equal(e.request.data, undefined);
  // Within the limit, the refusal is the token's, with the data audited; a valid token may send more.
  assert.equal((await post('/v1/secret/data/entries', { body: entries(998) })).status, 403);
  assert.equal((await post('/v1/secret/data/entries', { token: server.rootToken, body: entries(5000) })).status, 200);
});

test('without a valid token, a body is held to its allowance as audited: each <, > and & counts six bytes, as its entries escape it', async () => {
  const keyed = (c: string, n: number) => JSON.stringify({ data: { [c.repeat(n)]: 'x' } });
  // 12,000 `<` are 72,000 bytes once escaped in an entry: over 64 KiB. The same count of `a` is within it.
  const escaped = await post('/v1/secret/data/escaped', { body: keyed('<', 12_000) });
  assert.deepEqual([escaped.status, JSON.parse(escaped.text)], [413, { errors: ['request body too large: 65536 bytes as audited, where each <, > and & counts as six'] }]);
  assert.equal((await post('/v1/secret/data/escaped', { body: keyed('&', 12_000) })).status, 413);
  assert.equal((await post('/v1/secret/data/escaped', { body: keyed('a', 12_000) })).status, 403);
  // A login path's 1 MiB likewise (sys/wrapping/lookup is served without a token).
  assert.equal((await post('/v1/sys/wrapping/lookup', { body: keyed('>', 200_000) })).status, 413);
  assert.equal((await post('/v1/sys/wrapping/lookup', { body: keyed('b', 200_000) })).status, 400);
  const entries = auditEntries().filter((e) => e.request?.path === 'secret/data/escaped');
  assert.deepEqual(entries.map((e) => [e.type, e.request.data === undefined]), [
    ['request', true], ['response', true], ['request', true], ['response', true], ['request', false], ['response', false],
  ]);
  // A token may send what it likes (within max_request_size).
  assert.equal((await post('/v1/secret/data/escaped', { token: server.rootToken, body: keyed('<', 12_000) })).status, 200);
});

test('a body refused at an absolute-form target (http://host/v1/...) is audited like one at /v1/...', async () => {
  // Over-deep: refused by the body's parser, before the route's handler.
  const refused = await post('http://elsewhere.example/v1/secret/data/absolute', { token: server.rootToken, body: '{"a":' + '['.repeat(600) + ']'.repeat(600) + '}' });
  assert.equal(refused.status, 400);
  const entries = auditEntries().filter((e) => e.request?.path === 'secret/data/absolute');
  assert.deepEqual(entries.map((e) => [e.type, typeof e.error]), [['request', 'string'], ['response', 'string']]);
});

test('a permitted token is held to max_request_size as audited too: a body of < keys cannot write six times the limit into every entry', async () => {
  await withListenerLimits('  max_request_size = 1048576\n', async (small) => {
    const send = (c: string, n: number) => fetch(`${small.address}/v1/secret/data/big`, {
      method: 'POST', headers: { 'x-vault-token': small.rootToken, 'content-type': 'application/json' }, body: JSON.stringify({ data: { [c.repeat(n)]: 'x' } }),
    });
    // 200,000 `<` are 1.2 MB once escaped: over 1 MiB as audited, though 200 KB as sent.
    const refused = await send('<', 200_000);
    assert.deepEqual([refused.status, await refused.json()], [413, { errors: ['request body too large: 1048576 bytes as audited, where each <, > and & counts as six'] }]);
    assert.equal((await send('a', 200_000)).status, 200);
    assert.equal((await send('<', 150_000)).status, 200, '900,000 bytes as audited fit');
  });
});

/** A token whose only policy is `policy` (HCL), made with the root token. */
async function tokenWith(name: string, policy: string): Promise<string> {
  const vault = (path: string, body: unknown) => fetch(`${server.address}/v1/${path}`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken!, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal((await vault(`sys/policies/acl/${name}`, { policy })).status, 204);
  const made = await (await vault('auth/token/create', { policies: [name], no_default_policy: true })).json() as { auth: { client_token: string } };
  return made.auth.client_token;
}

test('a valid token its policies refuse here gets the allowances of no token, and the ACL\'s 403 past them, audited without its data', async () => {
  const reader = await tokenWith('body-reader', 'path "secret/data/app/*" { capabilities = ["read"] }');
  const writer = await tokenWith('body-writer', 'path "secret/data/app/*" { capabilities = ["create", "update"] }');
  const entries = (n: number) => JSON.stringify({ data: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, ''])) });
  const refusedPaths = ['secret/data/app/many', 'secret/data/elsewhere'];

  // Reading is not writing: a POST of 5,000 values, or of 200 KiB, is refused as the ACL refuses it.
  for (const path of refusedPaths) {
    const many = await post(`/v1/${path}`, { token: reader, body: entries(5000) });
    assert.deepEqual([many.status, JSON.parse(many.text)], [403, { errors: ['permission denied'] }], path);
    const large = await post(`/v1/${path}`, { token: reader, chunks: { chunk: Buffer.alloc(16 * 1024, 0x20), times: 13, declared: true } });
    assert.deepEqual([large.status, JSON.parse(large.text)], [403, { errors: ['permission denied'] }], path);
    assert.equal(large.connection, 'close', 'the rest of the body is not read');
  }
  const refused = auditEntries().filter((e) => refusedPaths.includes(e.request?.path));
  assert.equal(refused.length, 8);
  for (const e of refused) {
    assert.equal(e.request.data, undefined, 'the body is not in the audit entry');
    assert.equal(e.auth.policy_results.allowed, false);
  }
  const escaped = await post('/v1/secret/data/elsewhere', { token: reader, body: JSON.stringify({ data: { ['<'.repeat(12_000)]: 'x' } }) });
  assert.deepEqual([escaped.status, JSON.parse(escaped.text)], [403, { errors: ['permission denied'] }]);
  // Within the allowance, the ACL's refusal records the data, HMAC'd, as any refusal does.
  assert.equal((await post('/v1/secret/data/app/few', { token: reader, body: entries(10) })).status, 403);
  const few = auditEntries().filter((e) => e.request?.path === 'secret/data/app/few' && e.type === 'request').at(-1);
  assert.match(few.request.data.data.k0, /^hmac-sha256:/);
  // A GET it may make keeps the token's limits; a token that may write sends its 5,000 values.
  const query = await fetch(`${server.address}/v1/secret/data/app/none?${params(2000)}`, { headers: { 'x-vault-token': reader } });
  assert.equal(query.status, 404);
  const forbiddenQuery = await fetch(`${server.address}/v1/secret/data/elsewhere?${params(2000)}`, { headers: { 'x-vault-token': reader } });
  assert.equal(forbiddenQuery.status, 403);
  assert.equal((await post('/v1/secret/data/app/many', { token: writer, body: entries(5000) })).status, 200);
});

/** `n` distinct query parameters: `a0=&a1=&…`. */
const params = (n: number) => Array.from({ length: n }, (_, i) => `a${i}=`).join('&');

/** One raw request on its own connection (LIST is not a method node's client sends): status and body. */
function raw(method: string, target: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.on('connect', () => sock.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\n${token ? `X-Vault-Token: ${token}\r\n` : ''}Connection: close\r\n\r\n`));
    sock.on('data', (d) => { text += d; });
    sock.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    sock.on('error', reject);
    sock.setTimeout(5000, () => { sock.destroy(); reject(new Error(`timeout: ${method} ${target.slice(0, 80)}`)); });
  });
}

test('without a valid token, more than 1000 query parameters are refused with 413, audited without them', async () => {
  const auditBytes = () => readFileSync(`${server.dir}/audit.log`).length;
  for (const method of ['GET', 'LIST', 'DELETE']) {
    const path = `secret/metadata/query-${method.toLowerCase()}/`;
    const before = auditBytes();
    const r = await raw(method, `/v1/${path}?${params(1001)}`);
    assert.equal(r.status, 413, `${method}: ${r.body}`);
    assert.deepEqual(JSON.parse(r.body), { errors: ['request has more than 1000 query parameters'] });
    const refused = auditEntries().filter((e) => e.request?.path === path);
    assert.deepEqual(refused.map((e) => e.type), ['request', 'response'], method);
    for (const e of refused) {
      assert.equal(e.request.data, undefined, 'the parameters are not in the audit entries');
      assert.equal(e.error, e.type === 'request' ? 'request has more than 1000 query parameters' : '1 error occurred:\n\t* request has more than 1000 query parameters\n\n');
    }
    // Two entries of a few hundred bytes: 1001 HMACs each would be over 80 KB.
    assert.ok(auditBytes() - before < 8 * 1024, `${auditBytes() - before} audit bytes`);
  }
  // Within the limit, the request is refused for its token, with its data audited; a valid token may send more.
  assert.equal((await raw('GET', `/v1/secret/data/query-small?${params(1000)}`)).status, 403);
  for (const [method, path] of [['GET', 'secret/data/query-small'], ['LIST', 'secret/metadata/query-small/']]) {
    const r = await raw(method, `/v1/${path}?${params(2000)}`, server.rootToken);
    assert.equal(r.status, 404, `${method} with a token: ${r.body}`);
  }
});

test('query parameters count against the configured JSON values limits, with a token and without', async () => {
  await withListenerLimits('  max_request_json_entries = 50\n  max_request_json_entries_unauthenticated = 10\n', async (small) => {
    const get = async (n: number, token?: string) => {
      const r = await fetch(`${small.address}/v1/secret/data/q?${params(n)}`, { headers: token ? { 'x-vault-token': token } : {} });
      return { status: r.status, json: await r.json() as unknown };
    };
    assert.deepEqual(await get(51, small.rootToken), { status: 413, json: { errors: ['request has more than 50 query parameters'] } });
    assert.equal((await get(50, small.rootToken)).status, 404);
    assert.deepEqual(await get(11), { status: 413, json: { errors: ['request has more than 10 query parameters'] } });
    assert.deepEqual(await get(11, 'hvs.not-a-token'), { status: 413, json: { errors: ['request has more than 10 query parameters'] } });
    assert.equal((await get(10)).status, 403);
    // A repeated name counts each time it is given.
    const repeated = await fetch(`${small.address}/v1/secret/data/q?${'a=1&'.repeat(11)}`);
    assert.equal(repeated.status, 413);
  });
});

test('a LIST request line and headers are bounded as any other request\'s (16 KiB: 431), so a LIST cannot carry a larger query', async () => {
  const before = auditEntries().length;
  const long = `/v1/secret/metadata/?${Array.from({ length: 12_000 }, () => 'k=').join('&')}`;
  assert.ok(long.length > 16 * 1024);
  for (const token of [undefined, server.rootToken]) {
    const list = await raw('LIST', long, token);
    assert.deepEqual([list.status, JSON.parse(list.body)], [431, { errors: ['request headers too large'] }]);
    assert.equal((await raw('GET', `${long}&list=true`, token)).status, 431, 'as a GET is');
  }
  assert.equal(auditEntries().length, before, 'nothing reached the lifecycle');
});

test('a valid token may send up to max_request_size; a login path up to 1 MiB', async () => {
  const ok = await post('/v1/secret/data/large', { token: server.rootToken, body: secretBody(2 * 1024 * 1024) });
  assert.equal(ok.status, 200, ok.text);
  const chunked = await post('/v1/secret/data/large-chunked', { token: server.rootToken, chunks: { chunk: Buffer.from(`{"data":{"v":"${'x'.repeat(100 * 1024)}"}}`), times: 1 } });
  assert.equal(chunked.status, 200, chunked.text);

  // The login path reads a 200 KiB body (and refuses its content), but not a 2 MiB one.
  const login = await post('/v1/auth/apm/v0/attest/nitro/auth', { body: JSON.stringify({ attestation_doc: 'A'.repeat(200 * 1024) }) });
  assert.ok(login.status >= 400 && login.status < 500 && login.status !== 413, `${login.status} ${login.text}`);
  const tooBig = await post('/v1/auth/apm/v0/attest/nitro/auth', { body: JSON.stringify({ attestation_doc: 'A'.repeat(2 * 1024 * 1024) }) });
  assert.equal(tooBig.status, 413);
});

test('over-deep JSON is a 400 at the edge, audited, and the audit device keeps working', async () => {
  // Without a token, the bodies stay within the 64 KiB allowance (a larger one is a 413 first).
  const deep = (levels: number) => `{"data":${'{"":'.repeat(levels)}1${'}'.repeat(levels)}}`;
  const deepArrays = `{"data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const cases: Array<[string, string | undefined]> = [[deep(12_000), undefined], [deepArrays, undefined], [deep(50_000), server.rootToken], [deepArrays, server.rootToken]];
  for (const [body, token] of cases) {
    const r = await post('/v1/secret/data/deep', { token, body });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(JSON.parse(r.text), { errors: ['request JSON nests deeper than 64 levels'] });
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  }
  // 64 levels are fine.
  const nested = `{"data":${'{"a":'.repeat(62)}1${'}'.repeat(62)}}`;
  assert.equal((await post('/v1/secret/data/deep', { token: server.rootToken, body: nested })).status, 200);
  const refusals = auditEntries().filter((e) => e.request?.path === 'secret/data/deep' && e.error === 'request JSON nests deeper than 64 levels');
  assert.equal(refusals.length, 4);
  assert.ok(refusals.some((e) => e.auth?.policies?.includes('root')), 'the valid token is named in its refusal');

  const health = await fetch(`${server.address}/v1/sys/health`);
  assert.equal(health.status, 200);
  const read = await fetch(`${server.address}/v1/secret/data/deep`, { headers: { 'x-vault-token': server.rootToken } });
  assert.equal(read.status, 200, 'the audit device still records');
});

test('JSON with more than 100000 members and elements is a 413; malformed JSON is audited too', async () => {
  const many = `{"data":{"list":[${'{},'.repeat(2_000_000)}{}]}}`;
  const started = performance.now();
  const r = await post('/v1/secret/data/many', { token: server.rootToken, body: many });
  assert.equal(r.status, 413);
  assert.deepEqual(JSON.parse(r.text), { errors: ['request JSON has more than 100000 object members and array elements'] });
  assert.ok(performance.now() - started < 3000);

  const malformed = await post('/v1/secret/data/malformed', { token: server.rootToken, body: '{"data": {"v": "s3cret"' });
  assert.equal(malformed.status, 400);
  const entry = auditEntries().find((e) => e.request?.path === 'secret/data/malformed');
  assert.match(entry.error, /^failed to parse JSON input/);
  assert.equal(entry.request.data, undefined);
  assert.ok(!readFileSync(`${server.dir}/audit.log`, 'utf8').includes('s3cret'));
});

test('16 concurrent 31 MB bodies without a token: each refused quickly, memory stays bounded, no huge audit line', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  chunk[0] = 0x7b; // '{' then spaces: valid JSON never completes
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const started = performance.now();
  try {
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0
        ? post('/v1/secret/data/flood', { chunks: { chunk, times: 31 } })
        : post('/v1/secret/data/flood', { chunks: { chunk, times: 31, declared: true } }))));
    for (const a of answers) assert.equal(a.status, 413);
  } finally {
    clearInterval(sampler);
  }
  const growthMb = (peak - baseline) / 1024 / 1024;
  // Buffering these bodies took the server past 1 GB; the allowance keeps it to a few MiB (the
  // client side of this test shares one 1 MiB chunk).
  assert.ok(growthMb < 150, `RSS grew ${growthMb.toFixed(0)} MB`);
  assert.ok(performance.now() - started < 15_000);
  const longest = Math.max(...readFileSync(`${server.dir}/audit.log`, 'utf8').split('\n').map((l) => l.length));
  assert.ok(longest < 4 * 1024 * 1024, `longest audit line ${longest} bytes`);
});

test('the AWS JSON endpoint refuses an unsigned over-deep body for its signature, without parsing it (signed: test/server/aws/edge.test.ts)', async () => {
  const deep = `{"KeyId":"k","EncryptionContext":${'{"a":'.repeat(50_000)}"x"${'}'.repeat(50_000)}}`;
  const r = await fetch(`${server.address}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' },
    body: deep,
  });
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  assert.equal((await fetch(`${server.address}/v1/sys/health`)).status, 200);
});

test('while sealed: sys/unseal reads a body up to 1 MiB, other paths 64 KiB, malformed JSON is a 400 (last: seals the server)', async () => {
  const sealed = await post('/v1/sys/seal', { token: server.rootToken, body: '{}' });
  assert.equal(sealed.status, 204, sealed.text);
  const unseal = await post('/v1/sys/unseal', { body: JSON.stringify({ key: 'A'.repeat(200 * 1024) }) });
  assert.ok(unseal.status >= 400 && unseal.status < 500 && unseal.status !== 413, `${unseal.status} ${unseal.text}`);
  assert.equal((await post('/v1/sys/unseal', { body: JSON.stringify({ key: 'A'.repeat(2 * 1024 * 1024) }) })).status, 413);
  assert.equal((await post('/v1/secret/data/x', { token: server.rootToken, body: secretBody(100 * 1024) })).status, 413);
  const malformed = await post('/v1/secret/data/x', { token: server.rootToken, body: '{"data":' });
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.text).errors[0], /^failed to parse JSON input/);
  assert.equal((await post('/v1/secret/data/x', { token: server.rootToken, body: secretBody(10) })).status, 503);
});
