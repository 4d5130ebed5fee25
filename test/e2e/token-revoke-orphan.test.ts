/**
 * auth/token/revoke-orphan through the real server, as Vault guards it: the bare path is not a
 * root path, so a token allowed to update it reaches the handler, which asks the ACL for sudo on
 * the path and answers 400 without it; `revoke-orphan/<token>` needs sudo at the ACL (403). No
 * token without sudo ever revokes and orphans.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

before(async () => {
  server = await startDevServer();
  const policy = (capabilities: string) => `path "auth/token/revoke-orphan" { capabilities = [${capabilities}] }\npath "auth/token/revoke-orphan/*" { capabilities = [${capabilities}] }`;
  await call(server.address, 'PUT', 'sys/policies/acl/orphaner', { token: server.rootToken, body: { policy: policy('"update"') } });
  await call(server.address, 'PUT', 'sys/policies/acl/sudo-orphaner', { token: server.rootToken, body: { policy: policy('"update", "sudo"') } });
  await call(server.address, 'PUT', 'sys/policies/acl/spawner', { token: server.rootToken, body: { policy: 'path "auth/token/create" { capabilities = ["update"] }' } });
});
after(async () => server?.stop());

async function mint(token: string, body: Record<string, unknown>): Promise<string> {
  const created = await call(server.address, 'POST', 'auth/token/create', { token, body });
  assert.equal(created.status, 200, created.text);
  return created.json.auth.client_token;
}

const lookup = (token: string) => call(server.address, 'POST', 'auth/token/lookup', { token: server.rootToken, body: { token } });

test('revoke-orphan with update but not sudo: the handler refuses it, 400, and the token lives on', async () => {
  const caller = await mint(server.rootToken, { policies: ['orphaner'] });
  const target = await mint(server.rootToken, { policies: ['default'] });
  const refused = await call(server.address, 'POST', 'auth/token/revoke-orphan', { token: caller, body: { token: target } });
  assert.deepEqual([refused.status, refused.json], [400, { errors: ['root or sudo privileges required to revoke and orphan'] }]);
  assert.equal((await lookup(target)).status, 200);
  // In the URL the ACL itself asks for sudo.
  const inPath = await call(server.address, 'POST', `auth/token/revoke-orphan/${target}`, { token: caller });
  assert.deepEqual([inPath.status, inPath.json], [403, { errors: ['permission denied'] }]);
  assert.equal((await lookup(target)).status, 200);
});

test('revoke-orphan with update and sudo revokes the token and orphans its children', async () => {
  const caller = await mint(server.rootToken, { policies: ['sudo-orphaner'] });
  const parent = await mint(server.rootToken, { policies: ['spawner'] });
  const child = await mint(parent, {});
  const revoked = await call(server.address, 'POST', 'auth/token/revoke-orphan', { token: caller, body: { token: parent } });
  assert.equal(revoked.status, 204, revoked.text);
  assert.equal((await lookup(parent)).status, 403);
  const orphan = await lookup(child);
  assert.deepEqual([orphan.status, orphan.json.data.orphan], [200, true]);
  // As in Vault, a token in the URL is no way to name it: past the ACL, no handler serves the path.
  const inPath = await call(server.address, 'POST', `auth/token/revoke-orphan/${child}`, { token: caller });
  assert.deepEqual([inPath.status, (await lookup(child)).status], [404, 200], inPath.text);
});
