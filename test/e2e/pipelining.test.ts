/**
 * Requests pipelined on one connection, through the real server while an audit device holds the
 * first: the others wait for it instead of each being handled (and holding its body) at once,
 * and a connection with too many waiting is closed. Go's server, and so Vault, handles a
 * connection's requests one at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { MAX_WAITING_REQUESTS } from '../../src/server/pipelining.js';
import { startHoldingReceiver } from '../helpers/holding-receiver.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const HELD = 'secret/data/held';

const waitFor = async (cond: () => boolean, ms: number) => {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

async function setup() {
  const receiver = await startHoldingReceiver(HELD);
  const server = await startDevServer({ logLevel: 'fatal' });
  const status = (await call(server.address, 'PUT', 'sys/audit/held', { token: server.rootToken, body: { type: 'http', options: { uri: receiver.url, filter: `path == "${HELD}"` } } })).status;
  assert.equal(status, 204);
  return { receiver, server };
}

async function open(server: TestServer): Promise<Socket & { text: () => string }> {
  const { hostname, port } = new URL(server.address);
  const socket = connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString(); });
  socket.on('error', () => undefined);
  return Object.assign(socket, { text: () => text });
}

const request = (server: TestServer, method: string, path: string, body?: unknown) => {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return `${method} /v1/${path} HTTP/1.1\r\nHost: sealtrail\r\nX-Vault-Token: ${server.rootToken}\r\n` +
    (payload ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n` : '') + `\r\n${payload}`;
};

const auditLog = (server: TestServer) => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as { type: string; request: { path: string } });

test('a request pipelined behind one held by an audit device starts only once that one is answered', { timeout: 120_000 }, async () => {
  const { receiver, server } = await setup();
  try {
    const socket = await open(server);
    socket.write(request(server, 'POST', HELD, { data: { v: 1 } }) + request(server, 'GET', 'secret/data/other'));
    await receiver.held;
    const otherStarted = () => auditLog(server).some((e) => e.request.path === 'secret/data/other');
    // Handled at once, the second request's entries would be in the log within milliseconds.
    assert.equal(await waitFor(otherStarted, 2000), false, 'the pipelined request was handled while the first was still waiting for its audit entry');
    receiver.release();
    assert.ok(await waitFor(() => (socket.text().match(/HTTP\/1\.1 \d{3} /g) ?? []).length === 2, 60_000), socket.text());
    const log = auditLog(server);
    const heldResponse = log.findIndex((e) => e.type === 'response' && e.request.path === HELD);
    const otherRequest = log.findIndex((e) => e.type === 'request' && e.request.path === 'secret/data/other');
    assert.ok(heldResponse >= 0 && otherRequest > heldResponse);
    socket.destroy();
  } finally {
    receiver.release();
    await server.stop();
    await receiver.close();
  }
});

test(`a connection with more than ${MAX_WAITING_REQUESTS} pipelined requests waiting is closed`, { timeout: 120_000 }, async () => {
  const { receiver, server } = await setup();
  try {
    const socket = await open(server);
    let closed = false;
    socket.on('close', () => { closed = true; });
    socket.write(request(server, 'POST', HELD, { data: { v: 1 } }));
    await receiver.held;
    socket.write(Array.from({ length: MAX_WAITING_REQUESTS + 50 }, (_, i) => request(server, 'GET', `secret/data/p${i}`)).join(''));
    assert.ok(await waitFor(() => closed, 60_000), 'the connection stayed open with every request waiting');
    receiver.release();
    // The held request ends (its client is gone); no request that waited behind it is handled,
    // nor one node parsed from the same bytes after the connection was closed.
    assert.ok(await waitFor(() => auditLog(server).some((e) => e.type === 'response' && e.request.path === HELD), 60_000), 'the held request ended');
    // The server goes on serving other connections.
    assert.equal((await call(server.address, 'GET', 'sys/health')).status, 200);
    assert.deepEqual(auditLog(server).filter((e) => /^secret\/data\/p\d+$/.test(e.request.path)).map((e) => e.request.path), []);
  } finally {
    receiver.release();
    await server.stop();
    await receiver.close();
  }
});
