/**
 * The headers of the API's answers on a real dev server: every answer that does not choose its own
 * caching is `Cache-Control: no-store`, as Vault's are (secrets, tokens and KMS plaintexts must not
 * be kept by a browser or a proxy cache), on the Vault API, the LIST fallback and the AWS endpoint;
 * CORS stays off, as Vault's default: no origin is ever allowed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { GenerateDataKeyCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

before(async () => {
  server = await startDevServer();
  await call(server.address, 'POST', 'secret/data/app', { token: server.rootToken, body: { data: { password: 'hunter2' } } });
});
after(async () => {
  await server?.stop();
});

/** One raw request on its own connection (for LIST, which fetch cannot send); the answer's head. */
function rawHead(request: string): Promise<string> {
  const { hostname, port } = new URL(server.address);
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(Number(port), hostname, () => s.write(request));
    s.setEncoding('latin1').on('data', (d: string) => { text += d; }).on('end', () => resolve(text.split('\r\n\r\n')[0])).on('error', reject);
  });
}

test('every Vault API answer is Cache-Control: no-store: secrets, tokens, errors, unknown routes, LIST', async () => {
  const token = server.rootToken;
  const created = await call(server.address, 'POST', 'auth/token/create', { token, body: { policies: ['default'] } });
  const answers = {
    'a KV read': await call(server.address, 'GET', 'secret/data/app', { token }),
    'a token creation': created,
    'a refusal': await call(server.address, 'GET', 'secret/data/app', { token: created.json.auth.client_token }),
    'a missing secret': await call(server.address, 'GET', 'secret/data/none', { token }),
    'sys/health': await call(server.address, 'GET', 'sys/health'),
    'an unknown route': { headers: (await fetch(`${server.address}/nowhere`)).headers, status: 404 },
    'a bad body': await call(server.address, 'POST', 'secret/data/app', { token, rawBody: '{', headers: { 'content-type': 'application/json' } }),
  };
  for (const [what, r] of Object.entries(answers)) assert.equal(r.headers.get('cache-control'), 'no-store', what);
  for (const [what, r] of Object.entries(answers)) assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  // Exactly Vault's type, no charset: hvac reads an error's `errors` only when the header is exactly this.
  for (const [what, r] of Object.entries(answers)) {
    if (what !== 'an unknown route') assert.equal(r.headers.get('content-type'), 'application/json', what);
  }
  assert.equal(answers['a KV read'].status, 200);

  const list = await rawHead(`LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\n\r\n`);
  assert.match(list, /^HTTP\/1\.1 200 /);
  assert.match(list, /\r\ncache-control: no-store\r\n/i);
});

test('the AWS endpoint\'s answers are Cache-Control: no-store, a data key\'s plaintext included', async () => {
  const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
  const seen: Array<string | undefined> = [];
  kms.middlewareStack.add((next) => async (args) => {
    const out = await next(args);
    seen.push((out.response as { headers: Record<string, string> }).headers['cache-control']);
    return out;
  }, { step: 'deserialize' });
  const key = await kms.send(new CreateKeyCommand({}));
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyMetadata!.KeyId!, KeySpec: 'AES_256' }));
  assert.ok(dataKey.Plaintext?.length);
  assert.deepEqual(seen, ['no-store', 'no-store']);
  kms.destroy();

  const unsigned = await fetch(`${server.address}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Decrypt', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
  assert.equal(unsigned.status, 400);
  assert.equal(unsigned.headers.get('cache-control'), 'no-store');
  assert.equal(unsigned.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(unsigned.headers.get('content-type'), 'application/x-amz-json-1.1');
});

test('CORS is off, as Vault\'s default: no origin is allowed, a preflight allows nothing', async () => {
  const evil = 'https://evil.example';
  const read = await call(server.address, 'GET', 'secret/data/app', { token: server.rootToken, headers: { origin: evil } });
  // A request from another origin is refused outright (e2e/cross-origin.test.ts), and says nothing of CORS.
  assert.equal(read.status, 403);
  const preflight = await fetch(`${server.address}/v1/secret/data/app`, {
    method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-vault-token' },
  });
  for (const r of [read, preflight]) {
    for (const name of ['access-control-allow-origin', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-credentials']) {
      assert.equal(r.headers.get(name), null, name);
    }
  }
  assert.notEqual(preflight.status, 200);
  assert.notEqual(preflight.status, 204);
});
