/**
 * sys/seal passes the audited lifecycle, as Vault audits it: a seal and every refused attempt
 * leave a request and a response entry in the audit log and in the journal, the response entry is
 * written before sealing closes them, and a limited-use token is charged a use for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, printedValue, startDevServer } from '../helpers/server.js';

const DENIED = '1 error occurred:\n\t* permission denied\n\n';

test('sys/seal and its refused attempts are audited, and the server seals after the response entry', async () => {
  const server = await startDevServer();
  try {
    const { address: base, rootToken: root } = server;
    const tokenWith = async (policy: string, rules: string, body: Record<string, unknown> = {}) => {
      assert.equal((await call(base, 'PUT', `sys/policies/acl/${policy}`, { token: root, body: { policy: rules } })).status, 204);
      const created = await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: [policy], ...body } });
      assert.equal(created.status, 200, created.text);
      return created.json.auth.client_token as string;
    };
    const sealer = await tokenWith('sealer', 'path "sys/seal" { capabilities = ["update", "sudo"] }', { num_uses: 1 });
    const reader = await tokenWith('reader', 'path "secret/data/app/*" { capabilities = ["read"] }');

    assert.equal((await call(base, 'PUT', 'sys/seal', { token: reader })).status, 403);
    assert.equal((await call(base, 'PUT', 'sys/seal')).status, 403);
    assert.equal((await call(base, 'PUT', 'sys/seal', { token: sealer })).status, 204);
    assert.equal((await call(base, 'GET', 'sys/health')).status, 503, 'sealed');

    const entries = readFileSync(join(server.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .filter((e) => e.request?.path === 'sys/seal');
    assert.deepEqual(entries.map((e) => e.type), ['request', 'response', 'request', 'response', 'request', 'response']);
    for (let i = 0; i < entries.length; i += 2) assert.equal(entries[i + 1].request.id, entries[i].request.id);
    const [deniedReq, deniedResp, anonReq, anonResp, sealReq, sealResp] = entries;
    assert.deepEqual([deniedReq.error, deniedResp.error], [DENIED, DENIED]);
    assert.ok(deniedReq.auth.policies.includes('reader'));
    assert.deepEqual([anonReq.error, anonResp.error], ['permission denied', DENIED]);
    assert.equal(sealReq.error, undefined);
    assert.equal(sealResp.error, undefined);
    assert.ok(sealReq.auth.policies.includes('sealer'));
    assert.deepEqual(sealReq.auth.policy_results.granting_policies.map((p: { name: string }) => p.name), ['sealer']);

    // Unsealed again: the journal holds the same six records, and the seal spent the token's one use.
    const unsealed = await call(base, 'PUT', 'sys/unseal', { body: { key: printedValue(server.lines, 'Unseal Key') } });
    assert.equal(unsealed.json.sealed, false);
    const journal = await call(base, 'GET', 'sys/journal/records?path_prefix=sys/seal&kind=vault-request,vault-response&order=asc', { token: root });
    assert.equal(journal.status, 200, journal.text);
    assert.deepEqual(journal.json.data.records.map((r: { kind: string }) => r.kind),
      ['vault-request', 'vault-response', 'vault-request', 'vault-response', 'vault-request', 'vault-response']);
    assert.equal((await call(base, 'GET', 'auth/token/lookup-self', { token: sealer })).status, 403);
  } finally {
    await server.stop();
  }
});
