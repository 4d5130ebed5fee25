/**
 * Refused requests through the real server: every refusal of the lifecycle writes a request entry
 * and a response entry that share `request.id`, with the errors Vault writes (the request entry's
 * as Vault's core saw it, the response entry's as the go-multierror Vault returns) and the error
 * response's text under `response.data.error`, hashed unless the mount exempts `error`. A failed
 * KMS call's response entry always carries `error`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

type Entry = Record<string, any>;
let server: TestServer;
let root: string;
before(async () => {
  server = await startDevServer();
  root = server.rootToken;
});
after(async () => server?.stop());

const DENIED = '1 error occurred:\n\t* permission denied\n\n';
const auditLines = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const hashOf = async (value: string): Promise<string> => (await call(server.address, 'POST', 'sys/audit-hash/file', { token: root, body: { input: value } })).json.hash;

/** The entries of the one request made on `path`: exactly a request entry and a response entry sharing its id. */
function pairOn(path: string): [Entry, Entry] {
  const entries = auditLines().filter((e) => e.request?.path === path);
  assert.deepEqual(entries.map((e) => e.type), ['request', 'response'], `the entries on ${path}`);
  assert.ok(entries[0].request.id, 'the request has an id');
  assert.equal(entries[1].request.id, entries[0].request.id, 'the pair shares request.id');
  return entries as [Entry, Entry];
}

async function tokenWith(policy: string, rules: string): Promise<string> {
  assert.equal((await call(server.address, 'PUT', `sys/policies/acl/${policy}`, { token: root, body: { policy: rules } })).status, 204);
  const created = await call(server.address, 'POST', 'auth/token/create', { token: root, body: { policies: [policy] } });
  assert.equal(created.status, 200, created.text);
  return created.json.auth.client_token;
}

test('an unknown token: request error "permission denied", response error in multierror form, data.error hashed', async () => {
  const path = 'secret/data/refusals/bad-token';
  assert.equal((await call(server.address, 'GET', path, { token: 'hvs.not-a-token' })).status, 403);
  const [req, resp] = pairOn(path);
  assert.equal(req.error, 'permission denied');
  assert.equal(resp.error, DENIED);
  assert.equal(resp.response.data.error, await hashOf('permission denied'));
  // Vault refuses an unknown token before any policy is checked.
  assert.equal(req.auth.policy_results, undefined);
  assert.equal(resp.auth.policy_results, undefined);
});

test('an ACL refusal: the multierror in both entries and (hashed) in data.error; policy_results not allowed', async () => {
  const token = await tokenWith('refusals-read', 'path "secret/data/refusals/allowed/*" { capabilities = ["read"] }');
  const path = 'secret/data/refusals/denied';
  assert.equal((await call(server.address, 'GET', path, { token })).status, 403);
  const [req, resp] = pairOn(path);
  assert.equal(req.error, DENIED);
  assert.equal(resp.error, DENIED);
  assert.equal(resp.response.data.error, await hashOf(DENIED));
  assert.deepEqual(req.auth.policy_results, { allowed: false });
  assert.deepEqual(resp.auth.policy_results, { allowed: false });
  assert.match(resp.auth.client_token, /^hmac-sha256:/);
});

test('a root-protected path without sudo is refused like an ACL refusal', async () => {
  const token = await tokenWith('refusals-audit-read', 'path "sys/audit" { capabilities = ["read"] }');
  assert.equal((await call(server.address, 'GET', 'sys/audit', { token })).status, 403);
  const entries = auditLines().filter((e) => e.request?.path === 'sys/audit' && e.auth?.policies?.includes('refusals-audit-read'));
  assert.deepEqual(entries.map((e) => e.type), ['request', 'response']);
  assert.equal(entries[1].request.id, entries[0].request.id);
  assert.deepEqual(entries.map((e) => e.error), [DENIED, DENIED]);
  assert.equal(entries[1].response.data.error, await hashOf(DENIED));
  assert.deepEqual(entries[0].auth.policy_results, { allowed: false });
});

test('no route: the request entry has no error (it passed its checks); the response has Vault\'s unsupported path', async () => {
  const path = 'nowhere/refusals/x';
  const r = await call(server.address, 'GET', path, { token: root });
  assert.equal(r.status, 404);
  const [req, resp] = pairOn(path);
  assert.equal(req.error, undefined);
  assert.equal(resp.error, '1 error occurred:\n\t* unsupported path\n\n');
  assert.equal(resp.response.data.error, await hashOf(`no handler for route "${path}". route entry not found.`));
  assert.equal(req.request.mount_point, undefined, 'no mount served it');
});

test('input the edge refused (a body that is not JSON) is refused with both entries', async () => {
  const path = 'secret/data/refusals/not-json';
  const r = await call(server.address, 'POST', path, { token: root, rawBody: '{"data":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  const [req, resp] = pairOn(path);
  assert.ok(req.error, 'the request entry names the error');
  assert.equal(resp.error, `1 error occurred:\n\t* ${req.error}\n\n`);
  assert.equal(resp.response.data.error, await hashOf(req.error));
});

test('headers the edge refuses (content type, PATCH without a merge patch, a bad X-Vault-Wrap-TTL) are refused with both entries', async () => {
  const cases: Array<[string, string, Record<string, string>, number, string]> = [
    ['POST', 'secret/data/refusals/xml', { 'content-type': 'text/xml' }, 415, 'unsupported content type "text/xml": send a JSON body (application/json)'],
    ['PATCH', 'secret/data/refusals/patch', { 'content-type': 'application/json' }, 415, 'PATCH requires Content-Type of application/merge-patch+json, got "application/json"'],
    ['GET', 'secret/data/refusals/wrap', { 'x-vault-wrap-ttl': 'bogus' }, 400, 'X-Vault-Wrap-TTL must be a duration from 1s to 2678400s'],
  ];
  for (const [method, path, headers, status, error] of cases) {
    const r = await call(server.address, method, path, { token: root, headers, rawBody: method === 'GET' ? undefined : '{"data":{"v":"x"}}' });
    assert.deepEqual([r.status, r.json], [status, { errors: [error] }], path);
    const [req, resp] = pairOn(path);
    assert.deepEqual([req.error, resp.error], [error, `1 error occurred:\n\t* ${error}\n\n`], path);
    assert.equal(req.request.data, undefined, 'refused input is not in the entry');
    assert.ok(req.auth.policies.includes('root'), 'the caller is named');
  }
});

/** A request with its path exactly as given (fetch would resolve %2E%2E). */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(new URL(server.address).port), path, headers: { 'x-vault-token': root }, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a path the edge cannot read is refused in Vault\'s error shape before a request exists, and is not audited (as in Vault)', async () => {
  const before = auditLines().length;
  const cases: Array<[string, string]> = [
    ['/v1/secret/data/refusals/%FF', 'invalid request path: malformed percent-encoding'],
    ['/v1/secret/data/refusals/%', 'invalid request path: malformed percent-encoding'],
    ['/v1//secret/data/refusals/x', 'invalid request path: empty path segment'],
    ['/v1/secret/data/refusals/%2E%2E/x', 'invalid request path: "." and ".." segments are not allowed'],
  ];
  for (const [path, error] of cases) {
    const r = await rawGet(path);
    assert.deepEqual([r.status, JSON.parse(r.text)], [400, { errors: [error] }], path);
  }
  assert.equal(auditLines().length, before);
});

test('audit_non_hmac_response_keys=["error"] on the mount leaves the refusal\'s data.error in plaintext', async () => {
  const enabled = await call(server.address, 'POST', 'sys/mounts/refusals-kv', {
    token: root, body: { type: 'kv', options: { version: '2' }, config: { audit_non_hmac_response_keys: ['error'] } },
  });
  assert.equal(enabled.status, 204, enabled.text);
  const token = await tokenWith('refusals-none', 'path "secret/data/refusals/allowed/*" { capabilities = ["read"] }');
  const path = 'refusals-kv/data/x';
  assert.equal((await call(server.address, 'GET', path, { token })).status, 403);
  const [req, resp] = pairOn(path);
  assert.equal(req.error, DENIED);
  assert.equal(resp.response.data.error, DENIED);
  assert.equal(resp.response.mount_point, 'refusals-kv/');
});

test('a failed KMS Decrypt (bad ciphertext, a message-less InvalidCiphertextException) has error in its response entry', async () => {
  const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', maxAttempts: 1, credentials: server.awsCredentials });
  try {
    const before = auditLines().length;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(64).fill(7) })), { name: 'InvalidCiphertextException' });
    const responses = auditLines().slice(before).filter((e) => e.type === 'response' && e.request.path === 'kms/aws/Decrypt');
    assert.equal(responses.length, 1);
    assert.equal(responses[0].error, 'InvalidCiphertextException');
  } finally {
    kms.destroy();
  }
});
