/**
 * The cubbyhole engine through the real server, as Vault's: each token's private storage at
 * `cubbyhole/`, granted to every token by the default policy, invisible to every other token (root
 * included), and gone with the token — revoked, revoked with its parent, or expired.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { storedKeys } from '../helpers/stored-keys.js';
import { MAX_ENTRIES, MAX_VALUE_BYTES } from '../../src/secrets/cubbyhole/index.js';

let server: TestServer;
before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

const mint = async (body: Record<string, unknown> = {}) =>
  (await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['default'], ...body } })).json.auth.client_token as string;
/** How many cubbyhole paths the storage holds, over every token. */
const storedPaths = () => storedKeys(server.dir, 'builtin/cubbyhole/');

test('each token has its own cubbyhole: what one writes, no other token reads or lists, root included', async () => {
  const base = server.address;
  const alice = await mint();
  const bob = await mint();
  const rawBody = '{"password":"alice-pw","n":12345678901234567890}';
  assert.equal((await call(base, 'POST', 'cubbyhole/app/db', { token: alice, rawBody, headers: { 'content-type': 'application/json' } })).status, 204);
  const read = await call(base, 'GET', 'cubbyhole/app/db', { token: alice });
  assert.equal(read.status, 200);
  assert.equal(read.json.data.password, 'alice-pw');
  assert.match(read.text, /"n":12345678901234567890[,}]/, 'the number comes back as it was sent');
  const listed = await call(base, 'GET', 'cubbyhole/?list=true', { token: alice });
  assert.deepEqual(listed.json.data.keys, ['app/']);
  assert.deepEqual((await call(base, 'GET', 'cubbyhole/app?list=true', { token: alice })).json.data.keys, ['db']);
  // `list` read as Go's ParseBool reads it, as Vault does: hvac sends Python's `True`.
  for (const value of ['True', 'TRUE', 't', '1']) assert.deepEqual((await call(base, 'GET', `cubbyhole/app?list=${value}`, { token: alice })).json.data?.keys, ['db'], value);
  assert.deepEqual((await call(base, 'GET', 'cubbyhole/app?list=yes', { token: alice })).json, { errors: [] }, 'not a bool Go reads: a read of the path');

  for (const other of [bob, server.rootToken]) {
    const r = await call(base, 'GET', 'cubbyhole/app/db', { token: other });
    assert.deepEqual([r.status, r.json], [404, { errors: [] }]);
    assert.equal((await call(base, 'GET', 'cubbyhole/?list=true', { token: other })).status, 404);
  }
  // Vault's refusals of a write with nothing to store or no path.
  assert.deepEqual((await call(base, 'POST', 'cubbyhole/empty', { token: bob, body: {} })).json, { errors: ['missing data fields'] });
  assert.deepEqual((await call(base, 'GET', 'cubbyhole/', { token: bob })).json, { errors: ['missing path'] });
  assert.equal((await call(base, 'DELETE', 'cubbyhole/app/db', { token: bob })).status, 204, 'deleting in its own cubbyhole touches no other');
  assert.equal((await call(base, 'GET', 'cubbyhole/app/db', { token: alice })).status, 200);
  assert.equal((await call(base, 'DELETE', 'cubbyhole/app/db', { token: alice })).status, 204);
  assert.equal((await call(base, 'GET', 'cubbyhole/app/db', { token: alice })).status, 404);

  // Audited like any secret: the value HMAC'd, never in the log.
  assert.ok(!readFileSync(join(server.dir, 'audit.log'), 'utf8').includes('alice-pw'));
  // Mounted by the server, listed as Vault lists it, and not removable.
  const mounts = await call(base, 'GET', 'sys/mounts', { token: server.rootToken });
  assert.equal(mounts.json.data['cubbyhole/'].type, 'cubbyhole');
  // Local, as in Vault: a token's cubbyhole never leaves its cluster; sys/ and secret/ are not.
  assert.equal(mounts.json.data['cubbyhole/'].local, true);
  assert.equal(mounts.json.data['sys/'].local, false);
  assert.equal((await call(base, 'DELETE', 'sys/mounts/cubbyhole', { token: server.rootToken })).status, 400);
});

test('a cubbyhole goes with its token: revoked, revoked with its parent, or expired', async () => {
  const base = server.address;
  const before = storedPaths();
  await call(base, 'PUT', 'sys/policies/acl/token-maker', { token: server.rootToken, body: { policy: 'path "auth/token/create" { capabilities = ["update"] }' } });
  const parent = await mint({ policies: ['default', 'token-maker'] });
  const child = (await call(base, 'POST', 'auth/token/create', { token: parent, body: { policies: ['default'] } })).json.auth.client_token as string;
  const brief = await mint({ ttl: '2s' });
  for (const token of [parent, child, brief]) {
    assert.equal((await call(base, 'POST', 'cubbyhole/one', { token, body: { v: '1' } })).status, 204);
    assert.equal((await call(base, 'POST', 'cubbyhole/dir/two', { token, body: { v: '2' } })).status, 204);
  }
  assert.equal(storedPaths(), before + 6);
  assert.equal((await call(base, 'POST', 'auth/token/revoke', { token: server.rootToken, body: { token: parent } })).status, 204);
  assert.equal(storedPaths(), before + 2, 'the parent\'s and its child\'s cubbyholes are gone');
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  assert.equal((await call(base, 'GET', 'cubbyhole/one', { token: brief })).status, 403);
  assert.equal(storedPaths(), before, 'the expired token\'s cubbyhole is gone');

  // A write on a token's last use ends with the request, as in Vault: nothing is left behind.
  const once = await mint({ num_uses: 1 });
  assert.equal((await call(base, 'POST', 'cubbyhole/last', { token: once, body: { v: 'last-use' } })).status, 204);
  assert.equal(storedPaths(), before, 'the write of the last use did not outlive its token');
});

test("a token's last use still reads its cubbyhole, then the token and its cubbyhole are gone (Vault's hand-off)", async () => {
  const base = server.address;
  const before = storedPaths();
  // Spring Vault's cubbyhole authentication: a two-use token, one write by the issuer, one read by the app.
  const handOff = await mint({ num_uses: 2 });
  assert.equal((await call(base, 'POST', 'cubbyhole/token', { token: handOff, body: { token: 'hvs.app' } })).status, 204);
  const read = await call(base, 'GET', 'cubbyhole/token', { token: handOff });
  assert.equal(read.status, 200);
  assert.deepEqual(read.json.data, { token: 'hvs.app' });
  assert.equal(storedPaths(), before, 'the cubbyhole went with its token');
  assert.equal((await call(base, 'GET', 'cubbyhole/token', { token: handOff })).status, 403);
  const looked = await call(base, 'POST', 'auth/token/lookup', { token: server.rootToken, body: { token: handOff } });
  assert.equal(looked.status, 403, 'the token is revoked');
  // A last use refused by the ACL spends the token too.
  const refused = await mint({ num_uses: 1 });
  assert.equal((await call(base, 'GET', 'secret/data/x', { token: refused })).status, 403);
  assert.equal((await call(base, 'GET', 'cubbyhole/x', { token: refused })).status, 403);
});

test('a path is one entry however deep it is: listing, counting and destroying cost one list', async () => {
  const base = server.address;
  const token = await mint();
  const deep = Array.from({ length: 40 }, (_, i) => `d${i}`).join('/');
  assert.equal((await call(base, 'POST', `cubbyhole/${deep}`, { token, body: { v: 1 } })).status, 204);
  assert.equal((await call(base, 'POST', 'cubbyhole/d0/other', { token, body: { v: 2 } })).status, 204);
  assert.deepEqual((await call(base, 'GET', 'cubbyhole/d0?list=true', { token })).json.data.keys, ['d1/', 'other']);
  assert.deepEqual((await call(base, 'GET', `cubbyhole/${deep.split('/').slice(0, 39).join('/')}/?list=true`, { token })).json.data.keys, ['d39']);
  assert.deepEqual((await call(base, 'GET', `cubbyhole/${deep}`, { token })).json.data, { v: 1 });
  const long = await call(base, 'POST', `cubbyhole/${'p'.repeat(1025)}`, { token, body: { v: 1 } });
  assert.deepEqual([long.status, long.json], [400, { errors: ['a cubbyhole path is at most 1024 characters'] }]);
});

test('a cubbyhole is bounded: a value of at most 1 MiB of JSON, at most 256 paths per token', async () => {
  const base = server.address;
  const token = await mint();
  const big = await call(base, 'POST', 'cubbyhole/big', { token, body: { v: 'x'.repeat(MAX_VALUE_BYTES) } });
  assert.deepEqual([big.status, big.json], [413, { errors: [`a cubbyhole value is at most ${MAX_VALUE_BYTES} bytes of JSON`] }]);
  for (let i = 0; i < MAX_ENTRIES; i++) assert.equal((await call(base, 'POST', `cubbyhole/k${i}`, { token, body: { v: i } })).status, 204);
  const over = await call(base, 'POST', 'cubbyhole/one-more', { token, body: { v: 1 } });
  assert.deepEqual([over.status, over.json], [413, { errors: [`a token's cubbyhole holds at most ${MAX_ENTRIES} paths`] }]);
  assert.equal((await call(base, 'POST', 'cubbyhole/k0', { token, body: { v: 'replaced' } })).status, 204, 'an existing path may still be written');
});
