/** Error mapping: Vault error bodies, non-JSON error pages, no answer at all, timeouts. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SealtrailApiError, SealtrailClient, SealtrailNetworkError, SealtrailRequestError } from '../../src/sdk/index.js';
import { startFakeVault, type FakeVault } from './fake-vault.js';

let fake: FakeVault;
before(async () => {
  fake = await startFakeVault();
});
after(() => fake.close());

const apiErrorCases: Array<{ name: string; reply: { status: number; body?: unknown; rawBody?: string }; status: number; errors: Array<string | RegExp>; message: string | RegExp }> = [
  { name: '403 permission denied', reply: { status: 403, body: { errors: ['permission denied'] } },
    status: 403, errors: ['permission denied'], message: 'POST /v1/secret/data/a: 403 permission denied' },
  { name: 'several errors are joined', reply: { status: 400, body: { errors: ['missing type', 'bad path'] } },
    status: 400, errors: ['missing type', 'bad path'], message: 'POST /v1/secret/data/a: 400 missing type; bad path' },
  { name: 'empty errors', reply: { status: 503, body: { errors: [] } }, status: 503, errors: [], message: 'POST /v1/secret/data/a: 503 HTTP 503' },
  { name: 'a non-JSON error page keeps its first line', reply: { status: 502, rawBody: 'Bad Gateway\n<html>' },
    status: 502, errors: ['Bad Gateway'], message: 'POST /v1/secret/data/a: 502 Bad Gateway' },
  { name: 'an HTML page (an address that is no Sealtrail server) says so', reply: { status: 404, rawBody: '<!DOCTYPE HTML>\n<html><body>Not Found</body></html>' },
    status: 404, errors: [/the answer is an HTML page, not a Sealtrail API answer: is http:\/\/127\.0\.0\.1:\d+ a Sealtrail server\?/], message: /^POST \/v1\/secret\/data\/a: 404 the answer is an HTML page/ },
];

for (const tc of apiErrorCases) {
  test(`api error: ${tc.name}`, async () => {
    fake.routes = { 'POST /v1/secret/data/a': tc.reply };
    const client = new SealtrailClient({ address: fake.address, token: 'tok-secret-value' });
    const err = await client.write('secret/data/a', { password: 'hunter2' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SealtrailApiError);
    assert.equal(err.status, tc.status);
    assert.equal(err.errors.length, tc.errors.length);
    tc.errors.forEach((e, i) => (e instanceof RegExp ? assert.match(err.errors[i], e) : assert.equal(err.errors[i], e)));
    if (tc.message instanceof RegExp) assert.match(err.message, tc.message);
    else assert.equal(err.message, tc.message);
    assert.ok(!err.message.includes('tok-secret-value') && !err.message.includes('hunter2'));
  });
}

test('read: 404 with errors rejects, 404 without errors is undefined', async () => {
  fake.routes = { 'GET /v1/sys/nope': { status: 404, body: { errors: ['no handler for route "sys/nope"'] } } };
  const client = new SealtrailClient({ address: fake.address });
  await assert.rejects(client.read('sys/nope'), (e: unknown) => e instanceof SealtrailApiError && e.status === 404 && e.errors[0] === 'no handler for route "sys/nope"');
  assert.equal(await client.read('sys/other'), undefined);
  assert.equal(await client.list('sys/other'), undefined);
});

test('typed calls reject on 404 (they are not reads of optional data)', async () => {
  fake.routes = {};
  const client = new SealtrailClient({ address: fake.address });
  await assert.rejects(client.sys.policies.read('missing'), (e: unknown) => e instanceof SealtrailApiError && e.status === 404);
});

test('a 2xx answer that is not JSON is a network error', async () => {
  fake.routes = { 'GET /v1/sys/seal-status': { status: 200, rawBody: '<html>' } };
  const client = new SealtrailClient({ address: fake.address });
  await assert.rejects(client.sys.sealStatus(), (e: unknown) =>
    e instanceof SealtrailNetworkError && e.message === 'GET /v1/sys/seal-status: the server answered 200 with a body that is not JSON');
});

test('connection refused names the cause', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new SealtrailClient({ address: `http://127.0.0.1:${port}` });
  await assert.rejects(client.sys.sealStatus(), (e: unknown) =>
    e instanceof SealtrailNetworkError && e.message === `GET /v1/sys/seal-status: connect ECONNREFUSED 127.0.0.1:${port}`);
});

test('a server that never answers is cut off at timeoutMs', async () => {
  const sockets = new Set<import('node:net').Socket>();
  const silent: Server = createServer(() => undefined);
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const client = new SealtrailClient({ address: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 50 });
    await assert.rejects(client.read('secret/data/a'), (e: unknown) =>
      e instanceof SealtrailNetworkError && e.message === 'GET /v1/secret/data/a: no answer within 50 ms');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('an injected fetch is used as is', async () => {
  const seen: string[] = [];
  const client = new SealtrailClient({
    address: 'http://sealtrail.invalid:8200',
    token: 't',
    fetch: async (url, init) => {
      seen.push(`${init.method} ${url}`);
      return new Response(JSON.stringify({ initialized: true }), { status: 200 });
    },
  });
  assert.equal(await client.sys.initStatus(), true);
  assert.deepEqual(seen, ['GET http://sealtrail.invalid:8200/v1/sys/init']);
});

test('readRequired: a 404 without errors rejects too, with its status', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 404, rawBody: '' } };
  const client = new SealtrailClient({ address: fake.address });
  assert.equal(await client.read('sys/journal/records'), undefined);
  await assert.rejects(client.readRequired('sys/journal/records'), (e: unknown) => e instanceof SealtrailApiError && e.status === 404 && e.errors.length === 0);
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: { data: { records: [] } } } };
  assert.deepEqual((await client.readRequired('sys/journal/records'))?.data, { records: [] });
});

test('an answer past the size a client reads is refused, not read to its end: declared or streamed', async () => {
  const { createTransport, MAX_RESPONSE_BYTES } = await import('../../src/sdk/transport.js');
  assert.equal(MAX_RESPONSE_BYTES, 512 * 1024 * 1024);
  let pulled = 0;
  const endless = () => new ReadableStream<Uint8Array>({
    pull(controller) { pulled += 65_536; controller.enqueue(new Uint8Array(65_536).fill(0x20)); },
  });
  const transport = (reply: () => Response) => createTransport({
    address: 'http://127.0.0.1:1', getToken: () => undefined, timeoutMs: 5000, maxResponseBytes: 1_000_000, fetch: async () => reply(),
  });
  const declared = await transport(() => new Response(endless(), { headers: { 'content-length': String(2 ** 40) } })).send('GET', 'sys/x').catch((e: unknown) => e);
  assert.ok(declared instanceof SealtrailNetworkError && /1099511627776 bytes, over the 1000000/.test(declared.message), String(declared));
  pulled = 0;
  const streamed = await transport(() => new Response(endless())).send('GET', 'sys/x').catch((e: unknown) => e);
  assert.ok(streamed instanceof SealtrailNetworkError && /over the 1000000 bytes/.test(streamed.message), String(streamed));
  assert.ok(pulled < 2_000_000, `stopped reading at the bound (${pulled} bytes pulled)`);
});

test('an answer nesting deeper than a Sealtrail server\'s is refused before it is parsed, a gzip bomb of [ included', async () => {
  const { MAX_RESPONSE_DEPTH } = await import('../../src/sdk/transport.js');
  assert.equal(MAX_RESPONSE_DEPTH, 2048);
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  // 50 MiB of [ is 51 KB gzipped; JSON.parse held 2.9 GB for it before it failed.
  const bomb = gzipSync('['.repeat(50 * 1024 * 1024), { level: 9 });
  const server: Server = createServer((req, res) => {
    if (req.url === '/v1/sys/journal/records') res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(bomb);
    else if (req.url === '/v1/secret/data/deep') res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"data":{"data":{"a":${nested(MAX_RESPONSE_DEPTH - 3)}}}}`);
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"data":{"data":{"a":${nested(MAX_RESPONSE_DEPTH - 2)}}}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new SealtrailClient({ address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' });
    const refused = `nests deeper than ${MAX_RESPONSE_DEPTH} levels, which no Sealtrail server's does: not read`;
    for (const path of ['sys/journal/records', 'secret/data/deeper']) {
      const err = await client.read(path).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof SealtrailNetworkError, String(err));
      assert.equal(err.reason, `the answer ${refused}`);
    }
    // An answer of MAX_RESPONSE_DEPTH levels is read.
    const deep = await client.read<{ data: { a: unknown } }>('secret/data/deep');
    assert.ok(Array.isArray(deep?.data?.data.a));
  } finally {
    server.close();
  }
});

test('a body JSON cannot write is refused before anything is sent, as the caller\'s error', async () => {
  fake.routes = { 'POST /v1/secret/data/a': { status: 204 } };
  const client = new SealtrailClient({ address: fake.address, token: 't' });
  const before = fake.requests.length;
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const cases: Array<[unknown, string]> = [[deep, 'the body nests too deeply to write as JSON'], [{ n: 1n }, 'the body cannot be written as JSON']];
  for (const [data, reason] of cases) {
    const err = await client.write('secret/data/a', { data }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SealtrailRequestError, String(err));
    assert.deepEqual([err.method, err.path, err.reason], ['POST', 'secret/data/a', reason]);
    assert.equal(err.message, `POST /v1/secret/data/a: not sent: ${reason}`);
  }
  assert.equal(fake.requests.length, before);
});

test('a token a header cannot carry is refused before anything is sent, without echoing it', async () => {
  fake.routes = { 'GET /v1/secret/data/a': { status: 200, body: { data: {} } } };
  const before = fake.requests.length;
  for (const token of ['hvs.LEAKME\nvalue', 'hvs.LEAKME\rvalue', 'hvs.LEAKME\0value', 'hvs.LEAKME’value']) {
    const client = new SealtrailClient({ address: fake.address, token });
    const err = await client.read('secret/data/a').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SealtrailRequestError, String(err));
    assert.equal(err.message, 'GET /v1/secret/data/a: not sent: the token holds a character an HTTP header cannot carry (a line break, a control character or a non-Latin-1 character)');
    assert.equal(err.cause, undefined);
    assert.ok(!err.message.includes('LEAKME'));
  }
  assert.equal(fake.requests.length, before);
});

test('a client sets its own bounds on an answer: size and nesting', async () => {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (req.url === '/v1/secret/data/big') res.end(JSON.stringify({ data: { data: { a: 'x'.repeat(5000) } } }));
    else res.end(`{"data":{"data":{"a":${'['.repeat(20)}${']'.repeat(20)}}}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const small = new SealtrailClient({ address, token: 't', maxResponseBytes: 4096, maxResponseDepth: 10 });
    await assert.rejects(small.read('secret/data/big'), (e: unknown) => e instanceof SealtrailNetworkError && /over the 4096 bytes a client reads/.test(e.reason));
    await assert.rejects(small.read('secret/data/deep'), (e: unknown) => e instanceof SealtrailNetworkError && /nests deeper than 10 levels/.test(e.reason));
    await assert.rejects(small.withToken('u').read('secret/data/big'), (e: unknown) => e instanceof SealtrailNetworkError, 'a derived client keeps the bounds');
    const usual = new SealtrailClient({ address, token: 't' });
    assert.ok(await usual.read('secret/data/big'));
    assert.ok(await usual.read('secret/data/deep'));
    for (const bad of [0, -1, NaN, 1.5, Infinity]) {
      assert.throws(() => new SealtrailClient({ address, maxResponseBytes: bad }), /maxResponseBytes must be a positive integer/);
      assert.throws(() => new SealtrailClient({ address, maxResponseDepth: bad }), /maxResponseDepth must be a positive integer/);
    }
  } finally {
    server.close();
  }
});

test('an address with a user name or password is refused without echoing it', async () => {
  for (const address of ['http://user:LEAKME@127.0.0.1:1', 'https://LEAKME@127.0.0.1:1']) {
    const client = new SealtrailClient({ address, token: 't' });
    const err = await client.read('secret/data/a').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SealtrailRequestError, String(err));
    assert.equal(err.message, 'GET /v1/secret/data/a: not sent: the address holds a user name or password, which the client never sends: remove it');
    assert.ok(!String(err.cause).includes('LEAKME'));
  }
});
