/**
 * Journal reads in flight are bounded per token and per server, on the real dev server: a token
 * whose readers stall (they take the first bytes of a large page and read no more) holds its slots
 * until each answer is sent or its connection is gone; past them its next query is refused with
 * 503 (and Retry-After), audited, while KV reads and other tokens' queries are answered at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { JOURNAL_READS_PER_TOKEN } from '../../src/sys/journal-read-slots.js';

let server: TestServer;
let reader: { token: string; accessor: string };

/** A KV write whose request entry holds ~0.9 MB of numbers (the audit hashes strings, not numbers). */
const largeSecret = (i: number) => ({ data: { numbers: Array.from({ length: 90_000 }, (_, n) => 100_000_000 + n + i) } });

before(async () => {
  server = await startDevServer();
  const policy = await call(server.address, 'PUT', 'sys/policies/acl/journal-reader', { token: server.rootToken, body: { policy: 'path "sys/journal/*" { capabilities = ["read"] }' } });
  assert.equal(policy.status, 204, policy.text);
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['journal-reader'] } });
  assert.equal(created.status, 200, created.text);
  reader = { token: created.json.auth.client_token, accessor: created.json.auth.accessor };
  // ~7 MB of records: more than a client's socket and the server's buffers take without reading.
  for (let i = 0; i < 8; i++) {
    const put = await call(server.address, 'POST', `secret/data/large-${i}`, { token: server.rootToken, body: largeSecret(i) });
    assert.equal(put.status, 200, put.text);
  }
  await call(server.address, 'POST', 'secret/data/small', { token: server.rootToken, body: { data: { value: 'v' } } });
});
after(async () => {
  await server?.stop();
});

const PAGE = 'sys/journal/records?limit=1000&format=raw';

/** A client that sends a query, takes the first bytes of its answer and then reads nothing more. */
async function stalledReader(token: string): Promise<Socket> {
  const { hostname, port } = new URL(server.address);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET /v1/${PAGE} HTTP/1.1\r\nHost: ${hostname}\r\nX-Vault-Token: ${token}\r\n\r\n`);
  const [first] = await once(socket, 'data') as [Buffer];
  socket.pause();
  assert.match(first.toString('latin1', 0, 12), /^HTTP\/1\.1 200/);
  return socket;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

test('a token\'s stalled readers hold its slots; the next query is refused with 503 until one goes away', async () => {
  const stalled: Socket[] = [];
  try {
    for (let i = 0; i < JOURNAL_READS_PER_TOKEN; i++) stalled.push(await stalledReader(reader.token));

    const refused = await call(server.address, 'GET', PAGE, { token: reader.token });
    assert.equal(refused.status, 503, refused.text.slice(0, 300));
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.json.errors[0], /too many journal reads in flight for this token/);

    const kv = await timed(() => call(server.address, 'GET', 'secret/data/small', { token: server.rootToken }));
    assert.equal(kv.value.status, 200, kv.value.text);
    assert.ok(kv.ms < 1000, `a KV read took ${kv.ms} ms while the journal's readers stalled`);
    const rootQuery = await call(server.address, 'GET', 'sys/journal/records?limit=1', { token: server.rootToken });
    assert.equal(rootQuery.status, 200, 'another token\'s query is answered');

    stalled.shift()!.destroy();
    let again = await call(server.address, 'GET', 'sys/journal/records?limit=1', { token: reader.token });
    for (let tries = 0; again.status === 503 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await call(server.address, 'GET', 'sys/journal/records?limit=1', { token: reader.token });
    }
    assert.equal(again.status, 200, `the slot of a reader that went away came back: ${again.text}`);
  } finally {
    for (const s of stalled) s.destroy();
  }

  // The refusal is audited like any other: its response entry names the error.
  const audited = await call(server.address, 'GET', `sys/journal/records?kind=vault-response&accessor=${reader.accessor}&limit=1000&format=raw`, { token: server.rootToken });
  assert.equal(audited.status, 200, audited.text);
  const errors = (audited.json.data.records as { text: string }[]).map((r) => JSON.parse(r.text).error).filter(Boolean);
  assert.ok(errors.some((e: string) => /too many journal reads in flight/.test(e)), `no audited refusal among ${JSON.stringify(errors)}`);
});

test('every slot of a reader that stalled comes back once its connection is gone', async () => {
  const stalled: Socket[] = [];
  for (let i = 0; i < JOURNAL_READS_PER_TOKEN; i++) stalled.push(await stalledReader(reader.token));
  for (const s of stalled) s.destroy();
  let answered = 0;
  for (let tries = 0; answered < JOURNAL_READS_PER_TOKEN && tries < 50; tries++) {
    const all = await Promise.all(Array.from({ length: JOURNAL_READS_PER_TOKEN }, () => call(server.address, 'GET', 'sys/journal/records?limit=1', { token: reader.token })));
    answered = all.filter((r) => r.status === 200).length;
    if (answered < JOURNAL_READS_PER_TOKEN) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(answered, JOURNAL_READS_PER_TOKEN);
});
