/**
 * Acceptance (attestation issue) through the real dev server: the APM login flow with
 * development-enclave documents via the SDK's apmLogin and the CLI's `apm authorize`; refusals
 * (wrong PCR0, replayed / expired / mismatched challenge, untrusted CA); the audit trail the seed
 * describes (four entries per attestation, correlation ids, accessor + entity id on secret reads,
 * tuned vs untuned mounts); and the real AWS fixture through `sealtrail attest verify`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createDevCa, createDevEnclave, loadDevCaFromDir, type DevCa, type DevEnclave } from '../../src/attestation/index.js';
import { SealtrailApiError, SealtrailClient, apmLogin, authorizationName } from '../../src/sdk/index.js';
import { manualClock, systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

const SIGNER = '5a'.repeat(48);
const IMAGE = 'e1'.repeat(48);
const OTHER_IMAGE = 'e2'.repeat(48);
const SECRET_VALUE = 'enclave-db-password-7f3a';
const FIXTURE = fileURLToPath(new URL('../fixtures/nitro/sui-debug-enclave.hex', import.meta.url));

let server: TestServer;
let root: SealtrailClient;
let ca: DevCa;
let enclave: DevEnclave;

type Entry = Record<string, any>;
const auditEntries = (s: TestServer): Entry[] =>
  readFileSync(join(s.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const cli = (argv: string[], s: TestServer = server) => runIn(argv, { env: { SEALTRAIL_ADDR: s.address, SEALTRAIL_TOKEN: s.rootToken } });
const anonymous = (s: TestServer = server) => new SealtrailClient({ address: s.address, token: '' });
const login = (e: DevEnclave, mount = 'apm', s: TestServer = server) =>
  apmLogin(anonymous(s), { mount, platform: 'nitro', attest: (challenge) => e.attest({ nonce: challenge }) });

/**
 * The audit entries of one attestation, in log order: the init pair by its response's plaintext
 * correlation_id, the auth pair by its request's correlation_id (request keys are not exempt, so
 * that one is hashed: found with sys/audit-hash, as an operator would).
 */
async function attestationEntries(s: TestServer, correlationId: string): Promise<Entry[]> {
  const entries = auditEntries(s);
  const hashed = await new SealtrailClient({ address: s.address, token: s.rootToken }).sys.audit.hash('file', correlationId);
  const ids = new Set(entries
    .filter((e) => (e.type === 'response' && e.response?.data?.data?.correlation_id === correlationId) || (e.type === 'request' && e.request.data?.correlation_id === hashed))
    .map((e) => e.request.id));
  return entries.filter((e) => ids.has(e.request.id));
}

async function rejection(p: Promise<unknown>): Promise<SealtrailApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SealtrailApiError, `expected an API error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to be refused');
}

/** init → a document from `attest` → auth, over raw HTTP, returning the auth answer and the correlation id. */
async function handshake(s: TestServer, attest: (challenge: Uint8Array) => Uint8Array, mount = 'apm') {
  const init = await call(s.address, 'POST', `auth/${mount}/v0/attest/nitro/init`, { body: {} });
  assert.equal(init.status, 200, init.text);
  const { correlation_id: correlationId, challenge } = init.json.data.data;
  const message = Buffer.from(attest(new Uint8Array(Buffer.from(challenge, 'base64')))).toString('base64');
  const auth = await call(s.address, 'POST', `auth/${mount}/v0/attest/nitro/auth`, { body: { correlation_id: correlationId, message } });
  return { correlationId: correlationId as string, message, auth };
}

before(async () => {
  server = await startDevServer();
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  ca = await loadDevCaFromDir(join(server.dir, 'dev-ca'));
  enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  await root.kv('secret').put('enclave/db', { password: SECRET_VALUE });
  const authorized = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', 'enclave/db']);
  assert.equal(authorized.code, 0, authorized.stderr);
});
after(async () => server?.stop());

test('an authorized signer logs in with a dev-enclave document via apmLogin and reads its secret', async () => {
  const result = await login(enclave);
  const name = authorizationName({ kind: 'signer', platform: 'nitro', signerId: SIGNER, enginePath: 'secret', secretName: 'enclave/db' });
  assert.equal(result.signerId, SIGNER);
  assert.equal(result.enclaveId, IMAGE);
  assert.deepEqual(result.policies, ['default', name].sort());
  assert.match(result.correlationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(result.auth.metadata?.signer_id, SIGNER);

  const asEnclave = root.withToken(result.token);
  const secret = await asEnclave.kv('secret').get('enclave/db');
  assert.equal(secret?.data?.data?.password, SECRET_VALUE);
  // Scoped: the same token cannot read a secret it was not authorized for.
  await root.kv('secret').put('enclave/other', { password: 'not-for-the-enclave' });
  assert.equal((await rejection(asEnclave.kv('secret').get('enclave/other'))).status, 403);
});

test('an enclave authorization refuses a different PCR0 and admits its own image', async () => {
  const signer = '6b'.repeat(48);
  const ok = await cli(['apm', 'authorize', 'enclave', '--platform', 'nitro', '--signer', signer, '--enclave', IMAGE, '--engine-path', 'secret', 'enclave/db']);
  assert.equal(ok.code, 0, ok.stderr);
  const good = await login(createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: signer } }));
  assert.equal(good.enclaveId, IMAGE);
  const err = await rejection(login(createDevEnclave({ ca, clock: systemClock, pcrs: { 0: OTHER_IMAGE, 8: signer } })));
  assert.equal(err.status, 403);
  assert.deepEqual(err.errors, ['attestation refused: no role authorizes this enclave']);
});

test('a replayed challenge, a foreign nonce and an untrusted CA are refused', async () => {
  const first = await handshake(server, (challenge) => enclave.attest({ nonce: challenge }));
  assert.equal(first.auth.status, 200, first.auth.text);
  const replay = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: first.correlationId, message: first.message } });
  assert.equal(replay.status, 400);
  assert.deepEqual(replay.json.errors, ['the challenge has already been used']);

  // Concurrent answers to one challenge: exactly one login.
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  const { correlation_id, challenge } = init.json.data.data;
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')) })).toString('base64');
  const racing = await Promise.all(Array.from({ length: 6 }, () => call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id, message } })));
  assert.deepEqual(racing.map((r) => r.status).sort(), [200, 400, 400, 400, 400, 400]);

  const foreign = await handshake(server, () => enclave.attest({ nonce: new Uint8Array(32).fill(7) }));
  assert.equal(foreign.auth.status, 403);
  assert.deepEqual(foreign.auth.json.errors, ['attestation failed: the attestation document nonce is not the expected challenge']);

  const rogue = createDevEnclave({ ca: createDevCa({ clock: systemClock, name: 'rogue' }), clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  const untrusted = await handshake(server, (challenge) => rogue.attest({ nonce: challenge }));
  assert.equal(untrusted.auth.status, 403);
  assert.deepEqual(untrusted.auth.json.errors, ['attestation failed: the certificate chain does not end in a trusted root']);

  const unknown = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: '00000000-0000-4000-8000-000000000000', message: first.message } });
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.json.errors, ['unknown correlation_id: request a challenge from init first']);
});

test('evidence with a CBOR bignum (120 KiB, under the evidence limit) is refused at once, and the server keeps answering', async () => {
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  const n = 120 * 1024;
  // c2 5a <n> ff…: tag 2 around an n-byte string, which cbor2's default decoding made a BigInt in
  // time quadratic in n (this size held the event loop for about 5 s).
  const evidence = Buffer.concat([Buffer.from([0xc2, 0x5a]), Buffer.alloc(4), Buffer.alloc(n, 0xff)]);
  evidence.writeUInt32BE(n, 2);
  // Client and server share this process's event loop: a stall shows as time since the start.
  const started = performance.now();
  const [auth, healthAt] = await Promise.all([
    call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: init.json.data.data.correlation_id, message: evidence.toString('base64') } }),
    new Promise((resolve) => setTimeout(resolve, 20))
      .then(() => call(server.address, 'GET', 'sys/health'))
      .then((health) => (assert.equal(health.status, 200, health.text), performance.now() - started)),
  ]);
  assert.equal(auth.status, 400, auth.text);
  assert.deepEqual(auth.json.errors, ['attestation failed: the attestation document is larger than 32768 bytes']);
  assert.ok(healthAt < 1500, `sys/health answered after ${healthAt.toFixed(0)} ms`);
});

test('a 900,000-character correlation_id is refused with 400 and written nowhere in clear', async () => {
  const marker = 'X'.repeat(900_000);
  const before = auditEntries(server).length;
  const auth = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: marker, message: 'AAAA' } });
  assert.equal(auth.status, 400, auth.text.slice(0, 200));
  assert.deepEqual(auth.json.errors, ['"correlation_id" must be the UUID that init returned']);
  const lines = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).slice(before);
  const requestId = JSON.parse(lines.find((l) => l.includes('"auth/apm/v0/attest/nitro/auth"'))!).request.id as string;
  const pair = lines.filter((l) => l.includes(requestId));
  assert.deepEqual(pair.map((l) => JSON.parse(l).type), ['request', 'response']);
  for (const line of pair) assert.ok(line.length < 4096 && !line.includes('XXXX'), `an entry of ${line.length} bytes`);
  // Nor as the journal's correlation key, which the request entry's facts set before any check.
  const records = await call(server.address, 'GET', `sys/journal/records?request_id=${requestId}`, { token: server.rootToken });
  assert.equal(records.status, 200, records.text.slice(0, 200));
  const kept = records.json.data.records as Array<{ kind: string; correlation_id: string | null }>;
  assert.deepEqual(kept.map((r) => [r.kind, r.correlation_id]).sort(), [['vault-request', null], ['vault-response', null]]);
});

test('an expired challenge is refused (server on a manual clock)', async () => {
  const clock = manualClock(1_750_000_000_000);
  const s = await startDevServer({ clock });
  try {
    const r = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', 'x'], s);
    assert.equal(r.code, 0, r.stderr);
    const e = createDevEnclave({ ca: await loadDevCaFromDir(join(s.dir, 'dev-ca')), clock, pcrs: { 0: IMAGE, 8: SIGNER } });
    // Within the 300 s default a challenge works ...
    const fresh = await handshake(s, (challenge) => (clock.advance(299_000), e.attest({ nonce: challenge })));
    assert.equal(fresh.auth.status, 200, fresh.auth.text);
    // ... one second past it, a correctly signed, fresh document is refused.
    const late = await handshake(s, (challenge) => (clock.advance(301_000), e.attest({ nonce: challenge })));
    assert.equal(late.auth.status, 400);
    assert.deepEqual(late.auth.json.errors, ['the challenge has expired: request a new one from init']);
    const entries = await attestationEntries(s, late.correlationId);
    assert.deepEqual(entries.map((x) => `${x.type} ${x.request.path}`), [
      'request auth/apm/v0/attest/nitro/init', 'response auth/apm/v0/attest/nitro/init',
      'request auth/apm/v0/attest/nitro/auth', 'response auth/apm/v0/attest/nitro/auth',
    ]);
    assert.equal(entries[3].error, 'the challenge has expired: request a new one from init');
  } finally {
    await s.stop();
  }
});

test('audit: four entries per attestation, the auth block, and the token\'s KV read carry the same accessor and entity id', async () => {
  const result = await login(enclave);
  const read = await call(server.address, 'GET', 'secret/data/enclave/db', { token: result.token });
  assert.equal(read.status, 200);
  const entries = auditEntries(server);
  const flow = await attestationEntries(server, result.correlationId);
  assert.deepEqual(flow.map((e) => `${e.type} ${e.request.path}`), [
    'request auth/apm/v0/attest/nitro/init', 'response auth/apm/v0/attest/nitro/init',
    'request auth/apm/v0/attest/nitro/auth', 'response auth/apm/v0/attest/nitro/auth',
  ]);
  const [, initRes, authReq, authRes] = flow;
  assert.equal(initRes.response.data.data.correlation_id, result.correlationId);
  assert.match(initRes.response.data.data.challenge, /^hmac-sha256:[0-9a-f]{64}$/, 'the challenge is not exempt');
  assert.match(authReq.request.data.message, /^hmac-sha256:/, 'the evidence is hashed by default');
  assert.deepEqual(authRes.response.data.data, { correlation_id: result.correlationId, enclave_id: IMAGE, signer_id: SIGNER });
  const hashedAccessor = (await root.sys.audit.hash('file', result.accessor));
  assert.equal(authRes.response.auth.accessor, hashedAccessor);
  assert.equal(authRes.response.auth.entity_id, result.entityId);
  assert.equal(authRes.response.auth.display_name, `apm-anjuna-entity-${SIGNER}-${IMAGE}`);
  assert.match(authRes.response.auth.client_token, /^hmac-sha256:/);
  assert.ok(!JSON.stringify(flow).includes(result.token), 'the token is never in plaintext');

  const readRes = entries.find((e) => e.type === 'response' && e.request.id === read.json.request_id);
  assert.ok(readRes, 'the KV read is audited');
  assert.equal(readRes.request.client_token_accessor, authRes.response.auth.accessor);
  assert.equal(readRes.auth.entity_id, authRes.response.auth.entity_id);
  assert.equal(readRes.auth.display_name, authRes.response.auth.display_name);
  assert.equal(readRes.request.path, 'secret/data/enclave/db');
});

test('without a token only the login step may be wrapped: init is refused with 400 and stores nothing', async () => {
  const accessors = async () => (await call(server.address, 'LIST', 'auth/token/accessors', { token: server.rootToken })).json.data.keys.length as number;
  const before = await accessors();
  const wrap = { 'x-vault-wrap-ttl': '744h' };
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {}, headers: wrap });
  assert.equal(init.status, 400);
  assert.deepEqual(init.json, { errors: ['response wrapping needs a valid token, except for the response to a login'] });
  assert.equal(await accessors(), before, 'no wrapping token was stored');
  // Another unauthenticated path, with something to wrap.
  const given = await call(server.address, 'POST', 'sys/wrapping/wrap', { token: server.rootToken, body: { k: 'v' }, headers: { 'x-vault-wrap-ttl': '60s' } });
  const lookup = await call(server.address, 'POST', 'sys/wrapping/lookup', { body: { token: given.json.wrap_info.token }, headers: wrap });
  assert.deepEqual([lookup.status, lookup.json.errors[0]], [400, init.json.errors[0]]);

  // The login itself may be wrapped: whoever holds the wrapping token unwraps the enclave's token.
  const init2 = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  const { correlation_id: correlationId, challenge } = init2.json.data.data;
  const message = Buffer.from(enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')) })).toString('base64');
  const auth = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: correlationId, message }, headers: { 'x-vault-wrap-ttl': '60s' } });
  assert.equal(auth.status, 200, auth.text);
  assert.equal(auth.json.auth, null);
  const unwrapped = await call(server.address, 'POST', 'sys/wrapping/unwrap', { token: auth.json.wrap_info.token });
  assert.equal(unwrapped.status, 200, unwrapped.text);
  assert.equal((await call(server.address, 'GET', 'secret/data/enclave/db', { token: unwrapped.json.auth.client_token })).status, 200);
});

test('audit: a failed attestation has an error and neither an auth block nor measurements', async () => {
  const failed = await handshake(server, (challenge) => enclave.attest({ nonce: challenge, pcrs: { 8: 'ff'.repeat(48) } }));
  assert.equal(failed.auth.status, 403);
  const flow = await attestationEntries(server, failed.correlationId);
  assert.equal(flow.length, 4);
  const authRes = flow[3];
  assert.equal(authRes.type, 'response');
  assert.equal(authRes.error, 'attestation refused: no role authorizes this enclave');
  assert.equal(authRes.response?.auth, undefined);
  // Like the successful one, the failed response carries the correlation id (plaintext: tuned),
  // and its reason under `error`, hashed: the dev mount does not exempt it.
  const hashedReason = await root.sys.audit.hash('file', 'attestation refused: no role authorizes this enclave');
  assert.deepEqual(authRes.response?.data, { data: { correlation_id: failed.correlationId }, error: hashedReason });
  const text = JSON.stringify(authRes);
  for (const needle of ['enclave_id', 'signer_id', IMAGE, 'ff'.repeat(48)]) assert.ok(!text.includes(needle), `no ${needle} in a failed response`);
});

test('an unauthenticated caller cannot tell a debug-mode refusal from an unknown enclave; the audit entry can', async () => {
  // SIGNER is authorized (without debug): all-zero PCR0 is a debug-mode enclave of it.
  const debug = await handshake(server, (challenge) => enclave.attest({ nonce: challenge, pcrs: { 0: '00'.repeat(48) } }));
  const stranger = await handshake(server, (challenge) => enclave.attest({ nonce: challenge, pcrs: { 8: 'fe'.repeat(48) } }));
  assert.deepEqual([debug.auth.status, debug.auth.json], [403, { errors: ['attestation refused: no role authorizes this enclave'] }]);
  assert.deepEqual([stranger.auth.status, stranger.auth.json], [debug.auth.status, debug.auth.json]);
  assert.equal((await attestationEntries(server, debug.correlationId))[3].error, 'attestation refused: debug-mode enclaves are not allowed by the matching roles');
  assert.equal((await attestationEntries(server, stranger.correlationId))[3].error, 'attestation refused: no role authorizes this enclave');
});

test('display_name follows the mount path as Vault builds it, and an exempt `error` shows why an attestation failed', async () => {
  const mount = 'enclaves/prod';
  const enabled = await call(server.address, 'POST', `sys/auth/${mount}`, { token: server.rootToken, body: { type: 'apm', config: { audit_non_hmac_response_keys: ['correlation_id', 'error'] } } });
  assert.equal(enabled.status, 204, enabled.text);
  const r = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', 'enclave/db', '--mount', mount]);
  assert.equal(r.code, 0, r.stderr);

  const result = await login(enclave, mount);
  const lookup = await call(server.address, 'GET', 'auth/token/lookup-self', { token: result.token });
  assert.equal(lookup.json.data.display_name, `enclaves-prod-anjuna-entity-${SIGNER}-${IMAGE}`);
  const ok = (await attestationEntries(server, result.correlationId))[3];
  assert.equal(ok.response.auth.display_name, `enclaves-prod-anjuna-entity-${SIGNER}-${IMAGE}`);
  assert.equal(ok.response.data.error, undefined, 'a successful login has no error');

  // SIGNER is authorized without debug: the client gets the generic refusal, the entry the reason.
  const debug = await handshake(server, (challenge) => enclave.attest({ nonce: challenge, pcrs: { 0: '00'.repeat(48) } }), mount);
  assert.deepEqual([debug.auth.status, debug.auth.json], [403, { errors: ['attestation refused: no role authorizes this enclave'] }]);
  const failed = (await attestationEntries(server, debug.correlationId))[3];
  assert.deepEqual(failed.response.data, {
    data: { correlation_id: debug.correlationId },
    error: 'attestation refused: debug-mode enclaves are not allowed by the matching roles',
  });
  assert.equal(failed.response.auth, undefined);
});

test('audit: an untuned apm mount hashes correlation_id, enclave_id and signer_id', async () => {
  assert.equal((await call(server.address, 'POST', 'sys/auth/apm2', { token: server.rootToken, body: { type: 'apm' } })).status, 204);
  const r = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', 'enclave/db', '--mount', 'apm2']);
  assert.equal(r.code, 0, r.stderr);
  const result = await login(enclave, 'apm2');
  const entries = auditEntries(server);
  const authRes = entries.find((e) => e.type === 'response' && e.request.path === 'auth/apm2/v0/attest/nitro/auth' && e.response?.auth?.entity_id === result.entityId);
  assert.ok(authRes, 'the apm2 auth response is audited');
  const hash = (v: string) => root.sys.audit.hash('file', v);
  assert.deepEqual(authRes.response.data.data, { correlation_id: await hash(result.correlationId), enclave_id: await hash(IMAGE), signer_id: await hash(SIGNER) });
  const initRes = entries.find((e) => e.type === 'response' && e.request.path === 'auth/apm2/v0/attest/nitro/init' && e.response.data.data.correlation_id === authRes.response.data.data.correlation_id);
  assert.ok(initRes, 'the init response carries the same hashed correlation id');
  assert.ok(!JSON.stringify([authRes.response.data, initRes.response.data]).includes(result.correlationId));
  // Token metadata is never hashed (as in Vault), so the correlation id is kept out of it.
  assert.ok(!JSON.stringify(entries).includes(result.correlationId), 'the correlation id is hashed everywhere on an untuned mount');
});

test('two logins of the same image share the entity id and get different accessors', async () => {
  const a = await login(enclave);
  const b = await login(createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } }));
  assert.equal(a.entityId, b.entityId);
  assert.notEqual(a.accessor, b.accessor);
  assert.notEqual(a.token, b.token);
  const other = await login(createDevEnclave({ ca, clock: systemClock, pcrs: { 0: OTHER_IMAGE, 8: SIGNER } }));
  assert.notEqual(other.entityId, a.entityId);
});

test('attest verify: the real Nitro fixture verifies at its time with --allow-debug and is refused without it', async () => {
  const ok = await runIn(['attest', 'verify', '--platform', 'nitro', '--at', '1731627987382', '--allow-debug', FIXTURE]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /platform\s+nitro/);
  assert.match(ok.stdout, /debug\s+true/);
  assert.match(ok.stdout, new RegExp(`enclave_id\\s+${'0'.repeat(96)}`));
  assert.match(ok.stdout, /module_id\s+i-0f73a4b4cb74cc9f2-enc0192e4188fef781d\n/);
  assert.match(ok.stdout, /timestamp\s+2024-11-14T23:46:29\.450Z\n/);
  assert.match(ok.stdout, /pcr03\s+639a8b65f68b0223cbb14a0032487e5656d260434e3d1a10e7ec1407fb86143860717fc8afee90df7a1604111709af46\n/);
  assert.match(ok.stdout, /user_data\s+5a264748a62368075d34b9494634a3e096e0e48f6647f965b81d2a653de684f2\n/);
  const refused = await runIn(['attest', 'verify', '--platform', 'nitro', '--at', '1731627987382', FIXTURE]);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /Verification failed \(debug_not_allowed\): debug-mode enclave evidence is not allowed/);
});
