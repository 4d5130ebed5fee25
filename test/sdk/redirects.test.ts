/**
 * Redirects as Vault's client follows them: one, with the same method, headers and body; never
 * from https to http (the token would cross the network in clear), never a second.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport, type FetchLike } from '../../src/sdk/transport.js';
import { SealtrailNetworkError } from '../../src/sdk/errors.js';

interface Seen { method: string; url: string; token: string | undefined; body: string }

/** A server answering every request with `answer` and remembering what it was sent. */
async function serve(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, token: req.headers['x-vault-token'] as string | undefined, body });
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let target: Awaited<ReturnType<typeof serve>>;
const servers: Server[] = [];
before(async () => {
  target = await serve(() => ({ status: 200, body: '{"data":{"ok":true}}' }));
  servers.push(target.server);
});
after(() => { for (const s of servers) s.close(); });

const transportTo = (address: string, fetchImpl: FetchLike = (u, i) => fetch(u, i)) =>
  createTransport({ address, getToken: () => 'hvs.secret-token', fetch: fetchImpl, timeoutMs: 5000 });

for (const status of [301, 302, 307, 308]) {
  test(`a ${status} is followed once, keeping the method, the token and the body`, async () => {
    const front = await serve((req) => ({ status, headers: { location: `${target.url}${req.url}` } }));
    servers.push(front.server);
    target.seen.length = 0;
    const reply = await transportTo(front.url).send('POST', 'secret/data/app', { body: { data: { password: 'v2' } } });
    assert.deepEqual(reply, { status: 200, body: { data: { ok: true } } });
    assert.deepEqual(target.seen, [{ method: 'POST', url: '/v1/secret/data/app', token: 'hvs.secret-token', body: '{"data":{"password":"v2"}}' }], 'a write stays a write');
  });
}

test('a second redirect is refused', async () => {
  const second = await serve((req) => ({ status: 307, headers: { location: `${target.url}${req.url}` } }));
  const first = await serve((req) => ({ status: 307, headers: { location: `${second.url}${req.url}` } }));
  servers.push(first.server, second.server);
  target.seen.length = 0;
  await assert.rejects(transportTo(first.url).send('GET', 'secret/data/app'),
    (err: Error) => err instanceof SealtrailNetworkError && /redirected more than once/.test(err.message));
  assert.equal(target.seen.length, 0);
});

test('a redirect from https to http is refused before anything is sent there', async () => {
  const urls: string[] = [];
  const fake: FetchLike = async (url) => {
    urls.push(url);
    return new Response(null, { status: 307, headers: { location: 'http://attacker.example:8200/v1/secret/data/app' } });
  };
  await assert.rejects(transportTo('https://vault.example:8200', fake).send('POST', 'secret/data/app', { body: { data: { k: 'v' } } }),
    (err: Error) => err instanceof SealtrailNetworkError && /from https to http: refused/.test(err.message) && !err.message.includes('hvs.'));
  assert.deepEqual(urls, ['https://vault.example:8200/v1/secret/data/app'], 'nothing went to the http address');
});
