/**
 * Audit entries field for field as Vault writes them, through the real server listening
 * dual-stack (`[::]:0`) and reached over IPv4 loopback: the peer's address and port (also on the
 * LIST fallback), wrap_info.creation_time, mount accessors, a KV read of a missing key, and what
 * the http device sends for a jsonx device.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { VERSION } from '../../src/lib/version.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
/** The server over IPv4 loopback, although it listens on `::`. */
let base: string;
let port: number;
let token: string;
const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(base, method, path, { token, body, headers });

type Entry = { type: string; error?: string; request: Record<string, any>; response?: Record<string, any> };
const entries = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
/** The request and response entries of the one request to `path` with `operation`. */
function pairOf(path: string, operation: string): { request: Entry; response: Entry } {
  const found = entries().filter((e) => e.request.path === path && e.request.operation === operation);
  assert.deepEqual(found.map((e) => e.type), ['request', 'response'], `one request to ${path}`);
  return { request: found[0], response: found[1] };
}

before(async () => {
  server = await startDevServer({ devListenAddress: '[::]:0' });
  port = Number(new URL(server.address).port);
  base = `http://127.0.0.1:${port}`;
  token = server.rootToken;
});
after(async () => {
  await server?.stop();
});

test('an IPv4 client of a dual-stack listener is audited as 127.0.0.1, not ::ffff:127.0.0.1', async () => {
  assert.equal((await api('POST', 'secret/data/peer', { data: { a: 'b' } })).status, 200);
  const { request, response } = pairOf('secret/data/peer', 'create');
  for (const e of [request, response]) {
    assert.equal(e.request.remote_address, '127.0.0.1');
    assert.ok(Number.isInteger(e.request.remote_port) && e.request.remote_port > 0);
  }
});

test('a LIST served by the fallback is audited with the client\'s port', async () => {
  assert.equal((await api('POST', 'secret/data/listed/one', { data: { a: 'b' } })).status, 200);
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const clientPort = socket.localPort;
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`LIST /v1/secret/metadata/listed HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\n\r\n`);
  const timer = setTimeout(() => socket.destroy(), 5000);
  await closed;
  clearTimeout(timer);
  const answer = Buffer.concat(chunks).toString('utf8');
  assert.match(answer, /^HTTP\/1\.1 200 /);
  assert.match(answer, /"keys":\["one"\]/);
  const { request, response } = pairOf('secret/metadata/listed/', 'list');
  for (const e of [request, response]) {
    assert.equal(e.request.remote_address, '127.0.0.1');
    assert.equal(e.request.remote_port, clientPort);
  }
});

test('an audited header keeps each of its lines and its UTF-8 text, as Go\'s http.Header gives them to Vault', async () => {
  for (const name of ['X-Evil', 'User-Agent', 'X-Utf']) assert.equal((await api('PUT', `sys/config/auditing/request-headers/${name}`, { hmac: false })).status, 204);
  assert.equal((await api('POST', 'secret/data/headers', { data: { a: 'b' } })).status, 200);
  // Raw bytes: two X-Evil lines, two User-Agent lines (Node keeps only the first), a UTF-8 value,
  // and a byte that is not UTF-8.
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(Buffer.concat([
    Buffer.from(`GET /v1/secret/data/headers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\nConnection: close\r\n`),
    Buffer.from('X-Evil: one\r\nX-Evil: two\r\nUser-Agent: first\r\nUser-Agent: second\r\nX-Utf: caf\u00e9 \u2192 ok\r\nX-Latin: a'),
    Buffer.from([0xe9]),
    Buffer.from('b\r\n\r\n'),
  ]));
  const timer = setTimeout(() => socket.destroy(), 5000);
  await closed;
  clearTimeout(timer);
  assert.match(Buffer.concat(chunks).toString('utf8'), /^HTTP\/1\.1 200 /);
  assert.equal((await api('PUT', 'sys/config/auditing/request-headers/X-Latin', { hmac: false })).status, 204);
  const { request, response } = pairOf('secret/data/headers', 'read');
  for (const e of [request, response]) {
    assert.deepEqual(e.request.headers, { 'x-evil': ['one', 'two'], 'user-agent': ['first', 'second'], 'x-utf': ['caf\u00e9 \u2192 ok'] });
  }
  // Once audited, a byte that is not UTF-8 is U+FFFD, as Go's JSON writes it.
  assert.equal((await api('GET', 'secret/data/headers', undefined, { 'X-Latin': 'plain' })).status, 200);
  const socket2 = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { socket2.once('connect', resolve); socket2.once('error', reject); });
  socket2.resume();
  const closed2 = new Promise<void>((resolve) => socket2.once('close', () => resolve()));
  socket2.write(Buffer.concat([
    Buffer.from(`GET /v1/secret/data/headers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: ${token}\r\nConnection: close\r\nX-Latin: a`),
    Buffer.from([0xe9]),
    Buffer.from('b\r\n\r\n'),
  ]));
  await closed2;
  const reads = entries().filter((e) => e.type === 'response' && e.request.path === 'secret/data/headers' && e.request.operation === 'read');
  assert.deepEqual(reads.at(-1)!.request.headers['x-latin'], ['a\ufffdb']);
});

test('wrap_info.creation_time has nanoseconds, in the response and in its audit entry', async () => {
  assert.equal((await api('POST', 'secret/data/wrapped', { data: { a: 'b' } })).status, 200);
  const r = await api('GET', 'secret/data/wrapped', undefined, { 'X-Vault-Wrap-TTL': '60s' });
  assert.equal(r.status, 200);
  const created: string = r.json.wrap_info.creation_time;
  // Go's RFC3339Nano trims trailing zeros: more than three digits unless the time is a whole
  // millisecond (one chance in a million).
  assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{4,9}Z$/);
  const { response } = pairOf('secret/data/wrapped', 'read');
  assert.equal(response.response!.wrap_info.creation_time, created);
  const lookup = await api('POST', 'sys/wrapping/lookup', { token: r.json.wrap_info.token });
  assert.equal(lookup.json.data.creation_time, created);
});

test('a token lookup\'s expire_time and issue_time are audited as their RFC 3339 text, as Vault writes the time.Time values it returns', async () => {
  const child = await api('POST', 'auth/token/create', { policies: ['default'], ttl: '1h' });
  const lookup = await call(base, 'GET', 'auth/token/lookup-self', { token: child.json.auth.client_token });
  assert.equal(lookup.status, 200);
  assert.match(lookup.json.data.expire_time, /^\d{4}-\d\d-\d\dT/);
  const { response } = pairOf('auth/token/lookup-self', 'read');
  assert.equal(response.response!.data.issue_time, lookup.json.data.issue_time);
  assert.equal(response.response!.data.expire_time, lookup.json.data.expire_time);
  assert.match(response.response!.data.id, /^hmac-sha256:/);
});

test('a handler\'s refusal puts the error the client got under response.data.error, hashed, as Vault\'s error response does', async () => {
  const refused = await api('POST', 'secret/data/no-data', {});
  assert.equal(refused.status, 400);
  const message: string = refused.json.errors[0];
  const { response } = pairOf('secret/data/no-data', 'create');
  assert.equal(response.error, message);
  const hash = (await api('POST', 'sys/audit-hash/file', { input: message })).json.hash;
  assert.deepEqual(response.response!.data, { error: hash });
});

test('a new mount\'s accessor has Vault\'s form, <type>_<8 hex digits> (auth_<type>_... for auth methods), in sys/mounts and the audit entry', async () => {
  assert.match((await api('GET', 'sys/auth')).json.data['token/'].accessor, /^auth_token_[0-9a-f]{8}$/);
  assert.equal((await api('POST', 'sys/mounts/team', { type: 'kv', options: { version: '2' } })).status, 204);
  const accessor: string = (await api('GET', 'sys/mounts')).json.data['team/'].accessor;
  assert.match(accessor, /^kv_[0-9a-f]{8}$/);
  assert.equal((await api('POST', 'team/data/x', { data: { a: 'b' } })).status, 200);
  const { request } = pairOf('team/data/x', 'create');
  assert.equal(request.request.mount_accessor, accessor);
});

test('a KV read of a missing key answers 404 with no errors and is audited without an error', async () => {
  const r = await api('GET', 'secret/data/never-written');
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { errors: [] });
  const { request, response } = pairOf('secret/data/never-written', 'read');
  assert.equal('error' in request, false);
  assert.equal('error' in response, false);
  const meta = await api('GET', 'secret/metadata/never-written');
  assert.equal(meta.status, 404);
  assert.equal('error' in pairOf('secret/metadata/never-written', 'read').response, false);
});

test('an http device with format jsonx posts XML, each header value on its own line, as SealtrailAuditor/<version>', async () => {
  const received: { headers: IncomingMessage['headers']; rawHeaders: string[]; body: string }[] = [];
  const siem: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { received.push({ headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }); res.end(); });
  });
  await new Promise<void>((resolve) => siem.listen(0, '127.0.0.1', resolve));
  try {
    const uri = `http://127.0.0.1:${(siem.address() as { port: number }).port}/ingest`;
    const enabled = await api('PUT', 'sys/audit/siem', { type: 'http', options: { uri, format: 'jsonx', headers: JSON.stringify({ 'X-Tenant': ['a', 'b'] }) } });
    assert.equal(enabled.status, 204);
    assert.equal((await api('GET', 'sys/mounts')).status, 200);
    assert.ok(received.length > 0);
    for (const r of received) {
      assert.equal(r.headers['content-type'], 'application/xml');
      const values = (name: string) => r.rawHeaders.flatMap((n, i) => (i % 2 === 0 && n.toLowerCase() === name ? [r.rawHeaders[i + 1]] : []));
      assert.deepEqual(values('x-tenant'), ['a', 'b']);
      assert.deepEqual(values('user-agent'), [`SealtrailAuditor/${VERSION}`]);
      // Well-formed documents, one per line (Vault's bare framing is described in the docs).
      for (const line of r.body.split('\n').filter(Boolean)) assert.match(line, /^<\?xml version="1\.0" encoding="UTF-8"\?><json:object [^>]*>.*<\/json:object>$/);
    }
  } finally {
    await api('DELETE', 'sys/audit/siem');
    siem.closeAllConnections();
    await new Promise((resolve) => siem.close(resolve));
  }
});
