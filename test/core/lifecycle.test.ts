/**
 * The request lifecycle through the real server: refusals are audited before any handler runs,
 * audit is fail-closed for the request and the response entry, root-protected paths need sudo,
 * and a token's last use is counted once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tcpCollector } from '../helpers/listeners.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
// Without the journal: the fail-closed test needs the socket device to be the only one.
before(async () => { server = await startDevServer({ journal: false }); });
after(() => server.stop());

const auditLines = () => readFileSync(join(server.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const entriesOf = (id: string) => auditLines().filter((e) => e.request?.id === id);

async function tokenWith(policy: string, rules: string, extra: Record<string, unknown> = {}): Promise<string> {
  assert.equal((await call(server.address, 'PUT', `sys/policies/acl/${policy}`, { token: server.rootToken, body: { policy: rules } })).status, 204);
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: [policy], ...extra } });
  assert.equal(created.status, 200);
  return created.json.auth.client_token;
}

test('a bad token is refused with 403 and audited with its error; the handler never runs', async () => {
  const r = await call(server.address, 'POST', 'secret/data/lifecycle/bad-token', { token: 'hvs.not-a-token', body: { data: { v: 'x' } } });
  assert.equal(r.status, 403);
  // An error body carries no request id: the entry is found by its path.
  const refused = auditLines().filter((e) => e.request?.path === 'secret/data/lifecycle/bad-token');
  assert.ok(refused.length >= 1, 'the refused request is in the audit log');
  assert.equal(refused[0].type, 'request');
  assert.match(refused[0].error, /permission denied/);
  assert.equal(refused[0].auth?.client_token, undefined, 'no token was found, so none is named');
  const read = await call(server.address, 'GET', 'secret/data/lifecycle/bad-token', { token: server.rootToken });
  assert.equal(read.status, 404, 'nothing was written');
});

test('an ACL refusal is audited with the caller named (hashed) and the error', async () => {
  const token = await tokenWith('lifecycle-read', 'path "secret/data/lifecycle/*" { capabilities = ["read"] }');
  const r = await call(server.address, 'POST', 'secret/data/lifecycle/acl', { token, body: { data: { v: 'x' } } });
  assert.equal(r.status, 403);
  const entry = auditLines().filter((e) => e.request?.path === 'secret/data/lifecycle/acl').at(-1);
  assert.ok(entry);
  assert.match(entry.error, /permission denied/);
  assert.match(entry.auth.client_token, /^hmac-sha256:/);
  assert.deepEqual(entry.auth.policies, ['default', 'lifecycle-read']);
});

test('root-protected paths need sudo: read on sys/audit without sudo is refused, with sudo allowed', async () => {
  const plain = await tokenWith('lifecycle-audit-read', 'path "sys/audit" { capabilities = ["read"] }');
  assert.equal((await call(server.address, 'GET', 'sys/audit', { token: plain })).status, 403);
  const sudo = await tokenWith('lifecycle-audit-sudo', 'path "sys/audit" { capabilities = ["read", "sudo"] }');
  const allowed = await call(server.address, 'GET', 'sys/audit', { token: sudo });
  assert.equal(allowed.status, 200);
  assert.ok(allowed.json.data['file/'], 'the dev file device is listed');
});

test('num_uses: each use is counted once, the last use succeeds and revokes, the next is refused and audited', async () => {
  const token = await tokenWith('lifecycle-uses', 'path "secret/data/lifecycle/*" { capabilities = ["read", "create", "update"] }', { num_uses: 2 });
  const first = await call(server.address, 'POST', 'secret/data/lifecycle/uses', { token, body: { data: { v: '1' } } });
  assert.equal(first.status, 200);
  assert.equal(entriesOf(first.json.request_id)[0].auth.remaining_uses, 1, 'one use left after the first');
  const last = await call(server.address, 'GET', 'secret/data/lifecycle/uses', { token });
  assert.equal(last.status, 200);
  const [req, resp] = entriesOf(last.json.request_id);
  // None left: Go's omitempty leaves the 0 out, as Vault's entries do.
  assert.equal(req.auth.remaining_uses, undefined);
  assert.equal(resp.type, 'response');
  const after = await call(server.address, 'GET', 'secret/data/lifecycle/uses', { token });
  assert.equal(after.status, 403);
});

test('fail-closed: when no device records the request entry, the write is refused with 500 and never applied', async () => {
  const root = server.rootToken;
  const peer = await tcpCollector();
  try {
    assert.equal((await call(server.address, 'PUT', 'sys/audit/peer', { token: root, body: { type: 'socket', options: { address: `127.0.0.1:${peer.port}`, socket_type: 'tcp' } } })).status, 204);
    assert.equal((await call(server.address, 'DELETE', 'sys/audit/file', { token: root })).status, 204);
    // The socket's peer goes away: the only device can no longer record anything.
    await peer.stop();
    const refused = await call(server.address, 'POST', 'secret/data/lifecycle/unaudited', { token: root, body: { data: { v: 'x' } } });
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json, { errors: ['internal error'] });
    // Back: the peer listens again, the write was never applied and no audit line was lost for it.
    await peer.restart();
    let read;
    for (let i = 0; i < 50; i++) {
      read = await call(server.address, 'GET', 'secret/data/lifecycle/unaudited', { token: root });
      if (read.status !== 500) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(read!.status, 404, 'the refused write was not applied');
    assert.ok(!peer.lines().some((l) => l.includes('"secret/data/lifecycle/unaudited"') && l.includes('"type":"response"') && l.includes('"update"')),
      'no response entry was written for the refused write');
  } finally {
    await call(server.address, 'PUT', 'sys/audit/file', { token: root, body: { type: 'file', options: { file_path: join(server.dir, 'audit.log') } } });
    await call(server.address, 'DELETE', 'sys/audit/peer', { token: root });
    await peer.close();
  }
});
