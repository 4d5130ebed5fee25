/**
 * Response wrapping through the real server (X-Vault-Wrap-TTL and sys/wrapping/*): the client gets
 * a single-use token instead of the response, anyone holding it can unwrap the response once, and
 * the audit trail shows the wrap (the token HMAC'd, no data) and the unwrap.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { storedKeys } from '../helpers/stored-keys.js';

let server: TestServer;
let base: string;
let root: string;
const SECRET = 'wrapped-secret-4f1e';

before(async () => {
  server = await startDevServer();
  base = server.address;
  root = server.rootToken;
  await call(base, 'POST', 'secret/data/intro', { token: root, body: { data: { password: SECRET } } });
});
after(async () => { await server?.stop(); });

const wrapped = (method: string, path: string, ttl: string, body?: unknown) =>
  call(base, method, path, { token: root, headers: { 'x-vault-wrap-ttl': ttl }, body });
/** How many wrapped responses the storage holds. */
const storedWraps = () => storedKeys(server.dir, 'sys/wrapping/');
const auditEntries = () => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('a wrapped read answers a wrapping token, and the token unwraps the secret exactly once', async () => {
  const r = await wrapped('GET', 'secret/data/intro', '5m');
  assert.equal(r.status, 200);
  assert.equal(r.json.data, null);
  assert.ok(!r.text.includes(SECRET));
  const info = r.json.wrap_info;
  assert.match(info.token, /^hvs\./);
  assert.deepEqual([info.ttl, info.creation_path], [300, 'secret/data/intro']);

  // The response entry carries the wrap info with the token HMAC'd, and no data.
  const entry = auditEntries().find((e) => e.type === 'response' && e.request.id === r.json.request_id);
  assert.match(entry.response.wrap_info.token, /^hmac-sha256:/);
  assert.equal(entry.response.wrap_info.creation_path, 'secret/data/intro');
  assert.equal(entry.response.data, undefined);

  // Lookup needs no token of its own and spends nothing.
  const look = await call(base, 'POST', 'sys/wrapping/lookup', { body: { token: info.token } });
  assert.deepEqual([look.status, look.json.data.creation_ttl, look.json.data.creation_path], [200, 300, 'secret/data/intro']);

  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: info.token });
  assert.equal(unwrapped.status, 200);
  assert.deepEqual(unwrapped.json.data.data, { password: SECRET });
  assert.equal(unwrapped.json.data.metadata.version, 1);
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token: info.token })).status, 403, 'spent');
  assert.equal((await call(base, 'POST', 'sys/wrapping/lookup', { body: { token: info.token } })).status, 400);
});

test('a wrapping token may only unwrap: any other use is refused, and spends it', async () => {
  const stored = storedWraps();
  const token = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token;
  assert.equal(storedWraps(), stored + 1);
  assert.equal((await call(base, 'GET', 'secret/data/intro', { token })).status, 403);
  const unwrap = await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } });
  assert.deepEqual([unwrap.status, unwrap.json], [400, { errors: ['wrapping token is not valid or does not exist'] }]);
  assert.equal(storedWraps(), stored, 'the response went with its spent token');
});

test('revoking a wrapping token deletes the response it held, as Vault destroys its cubbyhole', async () => {
  const stored = storedWraps();
  const token = (await wrapped('GET', 'secret/data/intro', '720h')).json.wrap_info.token;
  assert.equal(storedWraps(), stored + 1);
  assert.equal((await call(base, 'POST', 'auth/token/revoke', { token: root, body: { token } })).status, 204);
  assert.equal(storedWraps(), stored, 'nothing of the secret is kept for the rest of the 30 days');
  const unwrap = await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } });
  assert.equal(unwrap.status, 400);
  // Unwrapped, the response is deleted and the token revoked (named in the body, or as the client token).
  for (const asClient of [false, true]) {
    const t = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token;
    const r = asClient ? await call(base, 'POST', 'sys/wrapping/unwrap', { token: t }) : await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token: t } });
    assert.equal(r.json.data.data.password, SECRET);
    assert.equal(storedWraps(), stored);
    assert.equal((await call(base, 'POST', 'auth/token/lookup', { token: root, body: { token: t } })).status, 403, 'the wrapping token is revoked');
  }
});

test('sys/wrapping/wrap wraps given data; another token can unwrap it by naming the wrapping token', async () => {
  const r = await wrapped('POST', 'sys/wrapping/wrap', '60', { api_key: 'k-123', region: 'eu' });
  const token = r.json.wrap_info.token;
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } });
  assert.deepEqual(unwrapped.json.data, { api_key: 'k-123', region: 'eu' });
  const again = await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } });
  assert.deepEqual([again.status, again.json], [400, { errors: ['wrapping token is not valid or does not exist'] }]);
  // A token that is not a wrapping token is refused, and wrap without a TTL is a clear 400.
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token: root } })).status, 400);
  const noTtl = await call(base, 'POST', 'sys/wrapping/wrap', { token: root, body: { a: 'b' } });
  assert.deepEqual([noTtl.status, noTtl.json], [400, { errors: ['wrapping requires a TTL: send X-Vault-Wrap-TTL'] }]);
});

test('a wrapped token creation hands the new token over unseen; a wrapping token expires', async () => {
  const r = await wrapped('POST', 'auth/token/create', '2m', { policies: ['default'], ttl: '10m' });
  assert.equal(r.json.auth, null);
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: r.json.wrap_info.token });
  const created = unwrapped.json.auth.client_token;
  assert.match(created, /^hvs\./);
  assert.equal((await call(base, 'GET', 'auth/token/lookup-self', { token: created })).status, 200);

  const short = await wrapped('GET', 'secret/data/intro', '1s');
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token: short.json.wrap_info.token })).status, 403);
});

test('a wrapped KMS call\'s CloudTrail event describes the call: its responseElements are the key, not the wrapping', async () => {
  const r = await wrapped('POST', 'kms/aws/CreateKey', '5m', { Description: 'wrapped' });
  assert.equal(r.status, 200);
  assert.match(r.json.wrap_info.token, /^hvs\./);
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: r.json.wrap_info.token });
  const keyId = unwrapped.json.data.KeyMetadata.KeyId;
  assert.match(keyId, /^[0-9a-f-]{36}$/);

  const found = await call(base, 'GET', `sys/journal/records?kind=cloudtrail&request_id=${r.json.request_id}`, { token: root });
  assert.equal(found.status, 200);
  const [event] = found.json.data.records.map((x: { record: Record<string, unknown> }) => x.record);
  assert.equal(event.eventName, 'CreateKey');
  assert.equal((event.responseElements as { keyMetadata: { keyId: string } }).keyMetadata.keyId, keyId);
});

test('a wrapping TTL out of 1s–31d is refused before anything acts: no version written, no wrapping token spent, nothing in clear', async () => {
  const version = async () => (await call(base, 'GET', 'secret/metadata/intro', { token: root })).json.data.current_version;
  const before = await version();
  for (const ttl of ['500ms', '0', '40d', '1e9h']) {
    const read = await wrapped('GET', 'secret/data/intro', ttl);
    assert.deepEqual([read.status, read.json], [400, { errors: ['X-Vault-Wrap-TTL must be a duration from 1s to 2678400s'] }], ttl);
    assert.ok(!read.text.includes(SECRET), `${ttl}: the secret is never answered in clear`);
    const write = await wrapped('POST', 'secret/data/intro', ttl, { data: { password: SECRET } });
    assert.equal(write.status, 400, ttl);
  }
  assert.equal(await version(), before, 'no version was written');
  // A wrapping token sent to unwrap with a bad TTL is not spent.
  const token = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token;
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token, headers: { 'x-vault-wrap-ttl': '40d' } })).status, 400);
  assert.deepEqual((await call(base, 'POST', 'sys/wrapping/unwrap', { token })).json.data.data, { password: SECRET });
});

test('a lookup with the wrapping token as the client token reads it and spends nothing: the secret still unwraps', async () => {
  const token = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token;
  for (const method of ['POST', 'GET']) {
    const look = await call(base, method, 'sys/wrapping/lookup', { token });
    assert.deepEqual([look.status, look.json.data?.creation_path], [200, 'secret/data/intro'], method);
  }
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token });
  assert.deepEqual([unwrapped.status, unwrapped.json.data?.data], [200, { password: SECRET }]);
  // A client token that is no wrapping token is refused as one.
  const other = await call(base, 'POST', 'sys/wrapping/lookup', { token: root });
  assert.deepEqual([other.status, other.json], [400, { errors: ['wrapping token is not valid or does not exist'] }]);
});

test('a path that needs no token spends no use of one it is sent: the vault CLI mount lookup leaves a one-use token its read', async () => {
  await call(base, 'POST', 'sys/policies/acl/intro-read', { token: root, body: { policy: 'path "secret/data/intro" { capabilities = ["read"] }' } });
  const created = await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['intro-read'], num_uses: 1 } });
  const once = created.json.auth.client_token as string;
  const mounts = await call(base, 'GET', 'sys/internal/ui/mounts/secret', { token: once });
  assert.deepEqual([mounts.status, mounts.json.data?.path], [200, 'secret/']);
  const read = await call(base, 'GET', 'secret/data/intro', { token: once });
  assert.deepEqual([read.status, read.json.data?.data], [200, { password: SECRET }], 'the use is still there for the request that needs the token');
  assert.equal((await call(base, 'GET', 'secret/data/intro', { token: once })).status, 403, 'and that use was its last');
});

test('wrapping the answer of a path that needs no token is the token\'s act: its policies must grant the path, and a limited token spends a use', async () => {
  const target = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token as string;
  const lookup = (token: string, body: unknown = { token: target }) => call(base, 'POST', 'sys/wrapping/lookup', { token, headers: { 'x-vault-wrap-ttl': '744h' }, body });
  // A token whose policies grant nothing stores nothing, however many times it asks.
  await call(base, 'PUT', 'sys/policies/acl/nothing', { token: root, body: { policy: 'path "secret/data/none" { capabilities = ["read"] }' } });
  const nothing = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['nothing'], no_default_policy: true } })).json.auth.client_token as string;
  const refused = await lookup(nothing);
  assert.deepEqual([refused.status, refused.json], [403, { errors: ['permission denied'] }]);
  // Audited as the ACL's refusal it is, so a search for denials finds it.
  const refusals = auditEntries().filter((e) => e.type === 'response' && e.request.path === 'sys/wrapping/lookup' && e.error === 'permission denied');
  assert.equal(refusals.length, 1);
  assert.equal(refusals[0].auth.policy_results.allowed, false);
  // Unwrapped, the same lookup needs no grant (the path is unauthenticated) and spends nothing.
  assert.equal((await call(base, 'POST', 'sys/wrapping/lookup', { token: nothing, body: { token: target } })).status, 200);
  // The default policy grants the lookup: a one-use token may wrap it once, and that is its use.
  const once = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['default'], num_uses: 1 } })).json.auth.client_token as string;
  const first = await lookup(once);
  assert.equal(first.status, 200);
  assert.match(first.json.wrap_info.token, /^hvs\./);
  const spent = await lookup(once);
  assert.deepEqual([spent.status, spent.json], [400, { errors: ['response wrapping needs a valid token, except for the response to a login'] }], 'its one use is spent: the token is gone');
  // A wrapping token (response-wrapping policy) cannot wrap its own lookup into another wrapping token forever: its use goes.
  const own = await call(base, 'POST', 'sys/wrapping/lookup', { token: target, headers: { 'x-vault-wrap-ttl': '744h' } });
  assert.equal(own.status, 200);
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token: target })).status, 403, 'the wrapping token was spent by the wrap');
});

test('sys/wrapping/rewrap moves the response under a new wrapping token with the first one\'s TTL and path; the first is spent', async () => {
  const first = (await wrapped('GET', 'secret/data/intro', '7m')).json.wrap_info;
  const rewrap = await call(base, 'POST', 'sys/wrapping/rewrap', { token: root, body: { token: first.token } });
  assert.equal(rewrap.status, 200, rewrap.text);
  const second = rewrap.json.wrap_info;
  assert.notEqual(second.token, first.token);
  assert.deepEqual([second.ttl, second.creation_path], [420, 'secret/data/intro']);
  assert.equal((await call(base, 'POST', 'sys/wrapping/lookup', { body: { token: first.token } })).status, 400, 'the first token is spent');
  assert.equal((await call(base, 'POST', 'sys/wrapping/rewrap', { token: root, body: { token: first.token } })).status, 400);
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: second.token });
  assert.deepEqual(unwrapped.json.data.data, { password: SECRET });
  // The answer's entry names the new wrapping token HMAC'd, and never the secret.
  const entry = auditEntries().find((e) => e.type === 'response' && e.request.id === rewrap.json.request_id);
  assert.match(entry.response.wrap_info.token, /^hmac-sha256:/);
  assert.ok(!JSON.stringify(entry).includes(SECRET));
});

test('a wrapped token creation names the token it holds: wrapped_accessor in the answer and, HMAC\'d, in the audit entry', async () => {
  const r = await wrapped('POST', 'auth/token/create', '5m', { policies: ['default'] });
  assert.equal(r.status, 200);
  assert.equal(r.json.auth, null, 'the token itself is wrapped');
  const wrappedAccessor = r.json.wrap_info.wrapped_accessor as string;
  assert.match(wrappedAccessor, /^[A-Za-z0-9]{24}$/);
  assert.equal(auditEntries().find((e) => e.type === 'response' && e.request.id === r.json.request_id).response.wrap_info.wrapped_accessor,
    (await call(base, 'POST', 'sys/audit-hash/file', { token: root, body: { input: wrappedAccessor } })).json.data.hash, 'the creation\'s entry links to the token minted');
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: r.json.wrap_info.token });
  assert.equal(unwrapped.json.auth.accessor, wrappedAccessor);
  // The journal joins the creation to the token too: its timeline starts with the wrapped create.
  const timeline = await call(base, 'GET', `sys/journal/records?accessor=${wrappedAccessor}&order=asc`, { token: root });
  assert.equal(timeline.status, 200, timeline.text);
  assert.equal(timeline.json.data.records[0]?.path, 'auth/token/create', 'the creation is in the token\'s timeline');
  // A wrapped read issues no token: no wrapped_accessor.
  assert.equal((await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.wrapped_accessor, undefined);
});

test('a wrapped read of a deleted version unwraps as the read answers it: 404 with the version\'s metadata, as Vault keeps the status', async () => {
  await call(base, 'POST', 'secret/data/gone', { token: root, body: { data: { password: SECRET } } });
  assert.equal((await call(base, 'DELETE', 'secret/data/gone', { token: root })).status, 204);
  const r = await wrapped('GET', 'secret/data/gone', '5m');
  assert.equal(r.status, 200, 'the wrap itself succeeds');
  const token = r.json.wrap_info.token;
  const unwrapped = await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } });
  assert.equal(unwrapped.status, 404, unwrapped.text);
  assert.equal(unwrapped.json.data.data, null);
  assert.equal(unwrapped.json.data.metadata.version, 1);
  assert.notEqual(unwrapped.json.data.metadata.deletion_time, '');
});

test('a wrapping token reads its response at cubbyhole/response, Vault\'s first unwrap, which older clients still use: once, as the JSON text of the response', async () => {
  const stored = storedWraps();
  const token = (await wrapped('GET', 'secret/data/intro', '5m')).json.wrap_info.token;
  const r = await call(base, 'GET', 'cubbyhole/response', { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(typeof r.json.data.response, 'string');
  const inner = JSON.parse(r.json.data.response);
  assert.deepEqual(inner.data.data, { password: SECRET });
  assert.equal(inner.wrap_info, null);
  assert.equal(storedWraps(), stored, 'read once, the response is gone');
  assert.equal((await call(base, 'GET', 'cubbyhole/response', { token })).status, 403, 'the token is spent');
  assert.equal((await call(base, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token } })).status, 400);
  const entry = auditEntries().find((e) => e.type === 'response' && e.request.id === r.json.request_id);
  assert.match(entry.response.data.response, /^hmac-sha256:/);
  assert.ok(!JSON.stringify(entry).includes(SECRET));
  // Any other token's cubbyhole/response is its own path, as before.
  const other = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['default'] } })).json.auth.client_token;
  assert.equal((await call(base, 'POST', 'cubbyhole/response', { token: other, body: { mine: 'x' } })).status, 204);
  assert.deepEqual((await call(base, 'GET', 'cubbyhole/response', { token: other })).json.data, { mine: 'x' });
});
