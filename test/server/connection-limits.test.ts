import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_LISTENER_LIMITS } from '../../src/config/types.js';
import { checkingIntervalMs } from '../../src/server/connection-limits.js';
import { startDevServer, type TestServer } from '../helpers/server.js';
import { makePrivateCa } from '../helpers/tls-certs.js';

const HEADER_MS = 600;
const READ_MS = 1500;
const IDLE_MS = 900;
const MAX_CONNECTIONS = 4;

let server: TestServer;
let configDir: string;

before(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'sealtrail-limits-'));
  const configPath = join(configDir, 'sealtrail.hcl');
  writeFileSync(configPath, `listener "tcp" {
  address                  = "127.0.0.1:0"
  tls_disable              = true
  http_read_header_timeout = "${HEADER_MS}ms"
  http_read_timeout        = "${READ_MS}ms"
  http_idle_timeout        = "${IDLE_MS}ms"
  max_connections          = ${MAX_CONNECTIONS}
}
`);
  server = await startDevServer({ configPath });
});

after(async () => {
  await server.stop();
  rmSync(configDir, { recursive: true, force: true });
});

interface Client {
  socket: Socket;
  connected: Promise<void>;
  /** Resolves when the server has closed the connection: ms since it was opened and what it sent. */
  closed: Promise<{ afterMs: number; received: string }>;
}

function open(): Client {
  const { port } = new URL(server.address);
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  let received = '';
  socket.on('data', (d) => { received += d.toString('latin1'); });
  socket.on('error', () => undefined); // a refused or reset connection shows as its close
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => {
    socket.once('close', () => resolve({ afterMs: Date.now() - started, received }));
  });
  return { socket, connected, closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slack = () => checkingIntervalMs({ httpReadHeaderTimeoutMs: HEADER_MS, httpReadTimeoutMs: READ_MS, httpIdleTimeoutMs: IDLE_MS, maxConnections: MAX_CONNECTIONS }) + 600;

test('the listener options parse with Vault defaults, and dev mode uses the same defaults', async () => {
  const defaults = await parseConfig('log_level = "info"');
  assert.deepEqual(
    { h: defaults.listener.httpReadHeaderTimeoutMs, r: defaults.listener.httpReadTimeoutMs, i: defaults.listener.httpIdleTimeoutMs, m: defaults.listener.maxConnections },
    { h: 10_000, r: 30_000, i: 300_000, m: DEFAULT_LISTENER_LIMITS.maxConnections },
  );
  const dev = await startDevServer();
  try {
    const { httpReadHeaderTimeoutMs, httpReadTimeoutMs, httpIdleTimeoutMs, maxConnections } = dev.config.listener;
    assert.deepEqual({ httpReadHeaderTimeoutMs, httpReadTimeoutMs, httpIdleTimeoutMs, maxConnections }, DEFAULT_LISTENER_LIMITS);
  } finally {
    await dev.stop();
  }
  assert.equal(server.config.listener.httpReadHeaderTimeoutMs, HEADER_MS);
  for (const [body, message] of [
    ['http_read_header_timeout = "0s"', /http_read_header_timeout must be a duration/],
    ['http_idle_timeout = "soon"', /http_idle_timeout must be a duration/],
    ['http_read_header_timeout = "40s"', /must not be longer than listener.http_read_timeout/],
    ['max_connections = 0', /max_connections must be an integer/],
  ] as const) {
    await assert.rejects(parseConfig(`listener "tcp" {\n  tls_disable = true\n  ${body}\n}\n`), message);
  }
});

test('the README example configuration parses, with the listener limits it shows', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## Running a real server\n[\s\S]*?```hcl\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has the example block');
  const cfg = await parseConfig(block[1]);
  const { httpReadHeaderTimeoutMs, httpReadTimeoutMs, httpIdleTimeoutMs, maxConnections } = cfg.listener;
  assert.deepEqual({ httpReadHeaderTimeoutMs, httpReadTimeoutMs, httpIdleTimeoutMs, maxConnections }, DEFAULT_LISTENER_LIMITS);
});

test('a client sending its headers a line at a time is cut off at the header timeout with 408', async () => {
  const c = open();
  await c.connected;
  c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  let lines = 0;
  const drip = setInterval(() => { if (!c.socket.destroyed && lines++ < 100) c.socket.write(`X-Slow-${lines}: x\r\n`); }, 100);
  try {
    const { afterMs, received } = await c.closed;
    assert.ok(afterMs >= HEADER_MS - 50 && afterMs <= HEADER_MS + slack(), `closed after ${afterMs} ms`);
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.ok(lines < 30, `the drip was cut off after ${lines} lines`);
  } finally {
    clearInterval(drip);
  }
});

test('a connection that sends nothing is closed at the header timeout', async () => {
  const c = open();
  const { afterMs } = await c.closed;
  assert.ok(afterMs >= HEADER_MS - 50 && afterMs <= HEADER_MS + slack(), `closed after ${afterMs} ms`);
});

test('a request whose body never completes is cut off at the read timeout', async () => {
  const c = open();
  await c.connected;
  c.socket.write('POST /v1/sys/audit-hash/file HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"input":');
  const drip = setInterval(() => { if (!c.socket.destroyed) c.socket.write(' '); }, 100);
  try {
    const { afterMs } = await c.closed;
    assert.ok(afterMs >= READ_MS - 50 && afterMs <= READ_MS + slack(), `closed after ${afterMs} ms`);
  } finally {
    clearInterval(drip);
  }
});

test('an idle keep-alive connection is closed at the idle timeout after its answer', async () => {
  const c = open();
  await c.connected;
  c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  const { afterMs, received } = await c.closed;
  assert.match(received, /^HTTP\/1\.1 200 /);
  // Node keeps the socket one second past keepAliveTimeout, so a client honouring the advertised
  // timeout never races the close.
  assert.ok(afterMs >= IDLE_MS - 50 && afterMs <= IDLE_MS + 1000 + slack(), `closed after ${afterMs} ms`);
});

test('a malformed request is answered and its connection closed at once, even when the client never closes its side', async () => {
  // As many silent clients as the cap allows, each having sent a request the parser refuses.
  const { port } = new URL(server.address);
  const silent = Array.from({ length: MAX_CONNECTIONS }, (_, i) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (d) => { received += d.toString('latin1'); });
    socket.write(i % 2 === 0 ? 'BREW /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n' : 'LIST /v1/sys/policy HTTP/1.1\r\nHost: x\r\n\r\n');
    return { socket, answered: new Promise<string>((resolve) => socket.once('end', () => resolve(received))) };
  });
  try {
    for (const answer of await Promise.all(silent.map((c) => c.answered))) assert.match(answer, /^HTTP\/1\.1 (400|403) /);
    await sleep(100);
    // Their server sockets are gone, not half-open until the idle timeout: a new client gets in.
    const c = open();
    await c.connected;
    c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const { afterMs, received } = await c.closed;
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.ok(afterMs < IDLE_MS, `answered after ${afterMs} ms`);
  } finally {
    for (const { socket } of silent) socket.destroy();
  }
});

test('connections past max_connections are refused, and a new client is served once idle ones are reaped', async () => {
  const idle = Array.from({ length: MAX_CONNECTIONS }, open);
  await Promise.all(idle.map((c) => c.connected));
  await sleep(100); // the server has accepted them
  const extra = open();
  const refused = await extra.closed;
  assert.equal(refused.received, '');
  assert.ok(refused.afterMs < HEADER_MS, `the extra connection was closed at once (${refused.afterMs} ms), not by a timeout`);
  for (const c of idle) assert.equal(c.socket.destroyed, false, 'the first connections are still open');

  const reaped = await Promise.all(idle.map((c) => c.closed));
  for (const { afterMs } of reaped) assert.ok(afterMs <= HEADER_MS + slack(), `reaped after ${afterMs} ms`);
  const res = await fetch(`${server.address}/v1/sys/health`, { headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  await res.text();
});

test('at max_connections, keep-alive connections waiting for their next request are closed to let a new client in', async () => {
  // One client holds every connection the cap allows, each answered once and kept alive: without
  // reclaiming them every other client is refused until the idle timeout, which a request now and
  // then would renew for ever.
  const held = Array.from({ length: MAX_CONNECTIONS }, open);
  await Promise.all(held.map((c) => c.connected));
  const answered = held.map((c) => new Promise<void>((resolve) => c.socket.once('data', () => resolve())));
  for (const c of held) c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  await Promise.all(answered);
  await sleep(50);
  try {
    const started = Date.now();
    const c = open();
    await c.connected;
    c.socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const { received } = await c.closed;
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.ok(Date.now() - started < IDLE_MS, 'served before any idle timeout');
  } finally {
    for (const c of held) c.socket.destroy();
    await sleep(100); // the server has seen them go
  }
});

test('at max_connections, a connection whose request is being handled is not closed', async () => {
  // The cap held by fresh and busy connections (a body still arriving): nothing of theirs is reclaimed.
  const busy = open();
  await busy.connected;
  busy.socket.write('POST /v1/sys/audit-hash/file HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"input":');
  const fresh = Array.from({ length: MAX_CONNECTIONS - 1 }, open);
  await Promise.all(fresh.map((c) => c.connected));
  await sleep(100);
  try {
    const extra = open();
    const refused = await extra.closed;
    assert.equal(refused.received, '');
    assert.equal(busy.socket.destroyed, false);
    for (const c of fresh) assert.equal(c.socket.destroyed, false);
  } finally {
    busy.socket.destroy();
    for (const c of fresh) c.socket.destroy();
  }
});

test('on a TLS listener, a connection that never completes its handshake is closed at the header timeout', async () => {
  // Node's own handshake timeout is two minutes: a silent client would hold its socket twelve
  // times as long as the header timeout allows a plain one.
  const ca = makePrivateCa();
  const configPath = join(ca.dir, 'tls.hcl');
  writeFileSync(configPath, `listener "tcp" {
  address                  = "127.0.0.1:0"
  tls_cert_file            = "${ca.server.cert}"
  tls_key_file             = "${ca.server.key}"
  http_read_header_timeout = "${HEADER_MS}ms"
  http_read_timeout        = "${READ_MS}ms"
}
`);
  const tls = await startDevServer({ configPath });
  try {
    const { port } = new URL(tls.address);
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => undefined);
    const afterMs = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), HEADER_MS + 5000);
      socket.once('close', () => { clearTimeout(timer); resolve(Date.now() - started); });
    });
    socket.destroy();
    assert.ok(afterMs >= HEADER_MS - 50 && afterMs <= HEADER_MS + slack(), `closed after ${afterMs} ms`);
  } finally {
    await tls.stop();
    rmSync(ca.dir, { recursive: true, force: true });
  }
});
