import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { parseListRequest, type ParsedListRequest } from '../../src/server/list-method.js';
import { startDevServer } from '../helpers/server.js';

test('LIST requests are parsed from the raw bytes; anything else is refused', () => {
  const ok = parseListRequest(Buffer.from('LIST /v1/secret/metadata/?a=1 HTTP/1.1\r\nHost: x\r\nX-Vault-Token: t\r\n\r\n'));
  assert.deepEqual(ok, { target: '/v1/secret/metadata/?a=1', headers: { host: 'x', 'x-vault-token': 't' } });
  for (const bad of [
    'LIST /v1/x HTTP/1.1\r\nHost: x\r\n',                        // headers not terminated
    'LISTX /v1/x HTTP/1.1\r\n\r\n',                               // another method
    'LIST v1/x HTTP/1.1\r\n\r\n',                                 // not an absolute path
    'LIST /v1/x HTTP/1.1\r\nBad Header: x\r\n\r\n',               // invalid header name
    'LIST /v1/x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',      // LIST has no body
    // Control characters in a header value, which llhttp refuses in any other request's headers.
    'LIST /v1/x HTTP/1.1\r\nUser-Agent: a\x00b\r\n\r\n',
    'LIST /v1/x HTTP/1.1\r\nUser-Agent: a\x01b\r\n\r\n',
    'LIST /v1/x HTTP/1.1\r\nUser-Agent: a\x7fb\r\n\r\n',
    'LIST /v1/x HTTP/1.1\r\nX-Forged: a\nX-Vault-Token: t\r\n\r\n', // a bare LF inside a line
    'LIST /v1/x HTTP/1.1\r\nX-Forged: a\rb\r\n\r\n',
    'LIST /v1/x HTTP/1.1\r\nUser-Agent: \x0ba\x0c\r\n\r\n',     // at either end too
  ]) assert.equal(parseListRequest(Buffer.from(bad)), undefined, JSON.stringify(bad));
  // What a header value may hold, as for any request: tabs, spaces, visible ASCII, obs-text.
  const lenient = parseListRequest(Buffer.from('LIST /v1/x HTTP/1.1\r\nUser-Agent: a\tb c~\xe9\r\n\r\n', 'latin1')) as ParsedListRequest;
  assert.equal(lenient.headers['user-agent'], 'a\tb c~\xe9');
  // Header names are data, even those Object.prototype knows.
  const special = parseListRequest(Buffer.from('LIST /v1/x HTTP/1.1\r\n__proto__: a\r\nconstructor: b\r\n__proto__: c\r\n\r\n')) as ParsedListRequest;
  assert.equal(JSON.stringify(special.headers), '{"__proto__":"a, c","constructor":"b"}');
  // Node's limit on any other request's line and headers (16 KiB) holds for LIST too.
  const request = 'LIST /v1/x HTTP/1.1\r\nHost: x\r\n\r\n';
  assert.equal(parseListRequest(Buffer.from(request), request.length - 1), 'too_large');
  assert.notEqual(parseListRequest(Buffer.from(request), request.length), 'too_large');
  assert.equal(parseListRequest(Buffer.from(`LIST /v1/x?${'k=&'.repeat(6000)} HTTP/1.1\r\n\r\n`)), 'too_large');
  assert.equal(parseListRequest(Buffer.from(`LIST /v1/x?${'k=&'.repeat(6000)}`)), 'too_large', 'unterminated too');
});

/** Sends `payload` (in pieces cut at `cuts`, 150 ms apart) and reads the answer to the end. */
function rawExchange(port: number, payload: string, cuts: number[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    let text = '';
    const bounds = [0, ...cuts, payload.length];
    const send = async () => {
      for (let i = 0; i + 1 < bounds.length; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 150));
        if (!sock.writable) return;
        sock.write(payload.slice(bounds[i], bounds[i + 1]));
      }
    };
    sock.on('connect', () => { send().catch(reject); });
    sock.on('data', (d) => { text += d; });
    sock.on('end', () => resolve(text));
    sock.on('error', reject);
    setTimeout(() => reject(new Error(`timeout: ${text}`)), 5000).unref();
  });
}

test('a raw LIST request, alone or pipelined behind a GET, gets Vault list responses in order', async () => {
  const server = await startDevServer();
  try {
    const headers = { 'x-vault-token': server.rootToken, 'content-type': 'application/json' };
    await fetch(`${server.address}/v1/secret/data/a/b`, { method: 'POST', headers, body: JSON.stringify({ data: { k: 'v' } }) });
    const port = Number(new URL(server.address).port);
    const req = (method: string, path: string) => `${method} /v1/secret/metadata/${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${server.rootToken}\r\n\r\n`;

    const alone = await rawExchange(port, req('LIST', 'a'));
    assert.match(alone, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(alone, /connection: close/i);
    assert.match(alone, /"keys":\["b"\]/);

    const piped = await rawExchange(port, req('GET', 'a/b') + req('LIST', 'a'));
    const statuses = [...piped.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200']);
    assert.ok(piped.indexOf('"current_version"') < piped.indexOf('"keys":["b"]'), 'responses keep request order');

    // A LIST stays a list whatever `list` its query sends, and a fragment does not swallow it.
    for (const target of ['a?list=false', 'a?%6cist=0&x=1', 'a#', 'a?x=1#list=false']) {
      const listed = await rawExchange(port, req('LIST', target));
      assert.match(listed, /"keys":\["b"\]/, target);
    }

    // A head that arrives in several segments (a slow link, large headers): read to its end.
    const whole = req('LIST', 'a');
    for (const cuts of [[20], [60], [1], [2], [1, 2, 3], [3, 30], [4, 30, whole.length - 2]]) {
      const split = await rawExchange(port, whole, cuts);
      assert.match(split, /^HTTP\/1\.1 200 OK\r\n/, `cut at ${cuts.join(', ')}`);
      assert.match(split, /"keys":\["b"\]/);
    }
    // ...but not past the limit of any request's head.
    const huge = await rawExchange(port, `LIST /v1/secret/metadata/a HTTP/1.1\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`, [40]);
    assert.match(huge, /^HTTP\/1\.1 431 /);

    const garbage = await rawExchange(port, 'FLY /v1/x HTTP/1.1\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 Bad Request/);
    assert.match(garbage, /malformed HTTP request/);

    // The LIST went through the lifecycle: it is in the audit log as a list operation.
    const log = (await import('node:fs')).readFileSync(`${server.dir}/audit.log`, 'utf8');
    assert.ok(log.split('\n').some((l) => l.includes('"operation":"list"') && l.includes('"path":"secret/metadata/a/"')));
  } finally {
    await server.stop();
  }
});
