import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rewriteListMethod } from '../../src/server/list-method.js';
import { startDevServer } from '../helpers/server.js';

const rewrite = (s: string) => { const b = Buffer.from(s); rewriteListMethod(b); return b.toString(); };

test('LIST request lines become LINK, in place and nowhere else', () => {
  assert.equal(rewrite('LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: a\r\n\r\n'), 'LINK /v1/secret/metadata/ HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(rewrite('GET /a HTTP/1.1\r\n\r\nLIST /b HTTP/1.1\r\n\r\n'), 'GET /a HTTP/1.1\r\n\r\nLINK /b HTTP/1.1\r\n\r\n');
  assert.equal(rewrite('GET /LIST HTTP/1.1\r\nX-Note: LIST \r\n\r\n'), 'GET /LIST HTTP/1.1\r\nX-Note: LIST \r\n\r\n');
  assert.equal(rewrite('LISTX /a'), 'LISTX /a');
  assert.equal(rewrite('LIST'), 'LIST');
});

test('a raw LIST request over a kept-alive connection gets a Vault list response', async () => {
  const server = await startDevServer();
  try {
    await fetch(`${server.address}/v1/secret/data/a/b`, { method: 'POST', headers: { 'x-vault-token': server.rootToken }, body: JSON.stringify({ data: { k: 'v' } }) });
    const port = Number(new URL(server.address).port);
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      let text = '';
      const req = (method: string, path: string) => `${method} /v1/secret/metadata/${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${server.rootToken}\r\n\r\n`;
      sock.on('connect', () => sock.write(req('GET', 'a/b') + req('LIST', 'a')));
      sock.on('data', (d) => { text += d; if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && text.includes('"keys"')) { sock.end(); resolve(text); } });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`timeout: ${text}`)), 5000).unref();
    });
    const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200']);
    assert.match(reply, /"keys":\["b"\]/);
  } finally {
    await server.stop();
  }
});
