/**
 * A login bound to the enclave's key (`token_bound_to_enclave_key`), through the real dev server:
 * the answer carries the token only sealed to the attestation document's public_key, so a party
 * that relays init and auth for the enclave gets nothing it can use; the audit trail records the
 * token as minted; documents without a usable key are refused as unauthorized.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevEnclave, loadDevCaFromDir, openEnvelope, type DevEnclave } from '../../src/attestation/index.js';
import { SealtrailApiError, SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

const SIGNER = '6b'.repeat(48);
const IMAGE = 'f1'.repeat(48);
const SECRET_VALUE = 'bound-enclave-secret-41c9';

let server: TestServer;
let root: SealtrailClient;
let enclave: DevEnclave;

type Entry = Record<string, any>;
const auditEntries = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const cli = (argv: string[]) => runIn(argv, { env: { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken } });
const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/** init → a document with `publicKey` → auth, over raw HTTP, as a relay would see it. */
async function handshake(publicKey: Uint8Array | null, headers: Record<string, string> = {}) {
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/init', { body: {} });
  assert.equal(init.status, 200, init.text);
  const { correlation_id: correlationId, challenge } = init.json.data.data;
  const doc = enclave.attest({ nonce: new Uint8Array(Buffer.from(challenge, 'base64')), publicKey });
  const auth = await call(server.address, 'POST', 'auth/apm/v0/attest/nitro/auth', { body: { correlation_id: correlationId, message: Buffer.from(doc).toString('base64') }, headers });
  return { correlationId: correlationId as string, auth };
}

before(async () => {
  server = await startDevServer();
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  enclave = createDevEnclave({ ca: await loadDevCaFromDir(join(server.dir, 'dev-ca')), clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  await root.kv('secret').put('bound/db', { password: SECRET_VALUE });
  const authorized = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', '--bind-to-enclave-key', 'bound/db']);
  assert.equal(authorized.code, 0, authorized.stderr);
});
after(() => server?.stop());

test('the answer carries the token only sealed to the document key; the enclave opens it and reads its secret', async () => {
  const key = rsaKey();
  const { correlationId, auth } = await handshake(spki(key.publicKey));
  assert.equal(auth.status, 200, auth.text);
  // What a relay sees: no token, an accessor, and an envelope it cannot open.
  assert.equal(auth.json.auth.client_token, '');
  assert.match(auth.json.auth.accessor, /\S/);
  const sealed = Buffer.from(auth.json.data.data.ciphertext_for_recipient, 'base64');
  assert.equal(auth.json.data.data.correlation_id, correlationId);
  assert.equal(openEnvelope(rsaKey().privateKey, sealed), undefined, 'another key does not open it');
  const token = openEnvelope(key.privateKey, sealed)!.toString('utf8');
  assert.match(token, /^hvs\./);
  const enclaveClient = new SealtrailClient({ address: server.address, token });
  assert.equal((await enclaveClient.kv('secret').get('bound/db'))?.data?.data?.password, SECRET_VALUE);
  const self = await enclaveClient.read('auth/token/lookup-self');
  assert.equal((self?.data as { accessor: string }).accessor, auth.json.auth.accessor);

  // The response entry records the token as minted (HMAC'd, as any login's), and neither the
  // entry nor the log holds the token itself.
  const hashed = await root.sys.audit.hash('file', token);
  const response = auditEntries().find((e) => e.type === 'response' && e.auth?.accessor !== undefined && e.auth.client_token === hashed);
  assert.ok(response, 'a response entry with the HMAC of the minted token');
  assert.equal(response.request.path, 'auth/apm/v0/attest/nitro/auth');
  assert.ok(!readFileSync(join(server.dir, 'audit.log'), 'utf8').includes(token));
});

test('documents without a key that can receive the token are refused as unauthorized, the reason audited', async () => {
  const cases: Array<[string, Uint8Array | null, RegExp]> = [
    ['no public_key', null, /public_key is absent/],
    ['an EC key', spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), /must be an RSA key/],
    ['a 1024-bit RSA key', spki(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey), /at least 2048 bits/],
  ];
  for (const [what, publicKey, reason] of cases) {
    const { correlationId, auth } = await handshake(publicKey);
    assert.equal(auth.status, 403, `${what}: ${auth.text}`);
    assert.deepEqual(auth.json.errors, ['attestation refused: no role authorizes this enclave'], what);
    const entry = auditEntries().find((e) => e.type === 'response' && e.response?.data?.data?.correlation_id === correlationId && e.error);
    assert.ok(entry, `${what}: the refusal's response entry`);
    assert.match(entry.error, reason, what);
  }
});

test('a role without the binding still admits the enclave when the document has no key; with a key every role applies and the token is sealed', async () => {
  const policy = 'path "secret/data/bound/other" { capabilities = ["read"] }';
  await root.sys.policies.write('bound-other', policy);
  await root.write('auth/apm/role/unbound-signer', { platform: 'nitro', signer_id: SIGNER, token_policies: ['bound-other'] });
  try {
    const plain = await handshake(null);
    assert.equal(plain.auth.status, 200, plain.auth.text);
    assert.match(plain.auth.json.auth.client_token, /^hvs\./);
    assert.deepEqual(plain.auth.json.auth.token_policies, ['bound-other', 'default']);
    assert.equal(plain.auth.json.data.data.ciphertext_for_recipient, undefined);

    const key = rsaKey();
    const bound = await handshake(spki(key.publicKey));
    assert.equal(bound.auth.json.auth.client_token, '');
    assert.equal(bound.auth.json.auth.token_policies.length, 3, 'both roles');
    assert.ok(openEnvelope(key.privateKey, Buffer.from(bound.auth.json.data.data.ciphertext_for_recipient, 'base64')));
  } finally {
    await root.delete('auth/apm/role/unbound-signer');
  }
});

test('a wrapped bound login wraps the sealed answer: unwrapping it gives no token either', async () => {
  const key = rsaKey();
  const { auth } = await handshake(spki(key.publicKey), { 'X-Vault-Wrap-TTL': '5m' });
  assert.equal(auth.status, 200, auth.text);
  const wrapping = auth.json.wrap_info.token as string;
  const unwrapped = await call(server.address, 'POST', 'sys/wrapping/unwrap', { token: wrapping, body: {} });
  assert.equal(unwrapped.status, 200, unwrapped.text);
  assert.equal(unwrapped.json.auth.client_token, '');
  const token = openEnvelope(key.privateKey, Buffer.from(unwrapped.json.data.data.ciphertext_for_recipient, 'base64'))!.toString('utf8');
  assert.equal((await new SealtrailClient({ address: server.address, token }).kv('secret').get('bound/db'))?.data?.data?.password, SECRET_VALUE);
});

test('the SDK opens a sealed token with openToken, and says so without it; the CLI dev enclave logs in with a key of its own', async () => {
  const key = rsaKey();
  const anonymous = new SealtrailClient({ address: server.address, token: '' });
  const attest = (challenge: Uint8Array) => enclave.attest({ nonce: challenge, publicKey: spki(key.publicKey) });
  const login = await apmLogin(anonymous, { platform: 'nitro', attest, openToken: (envelope) => openEnvelope(key.privateKey, envelope)?.toString('utf8') });
  assert.equal(login.auth.client_token, login.token);
  assert.equal((await new SealtrailClient({ address: server.address, token: login.token }).kv('secret').get('bound/db'))?.data?.data?.password, SECRET_VALUE);
  await assert.rejects(apmLogin(anonymous, { platform: 'nitro', attest }), /sealed the token .*pass openToken/);
  await assert.rejects(apmLogin(anonymous, { platform: 'nitro', attest, openToken: () => undefined }), /does not open/);
  await assert.rejects(apmLogin(anonymous, { platform: 'nitro', attest: (challenge) => enclave.attest({ nonce: challenge }) }), (err) => err instanceof SealtrailApiError && err.status === 403);
  // A relay that answers with a clear token of its own is refused by an enclave that requires a sealed one.
  const relay = { write: async (path: string, data?: Record<string, unknown>) => {
    const real = await anonymous.write(path, data);
    if (!path.endsWith('/auth') || !real) return real;
    const inner = { ...(real.data as { data: Record<string, unknown> }).data };
    delete inner.ciphertext_for_recipient;
    return { ...real, data: { data: inner }, auth: { ...real.auth!, client_token: server.rootToken } };
  } };
  await assert.rejects(apmLogin(relay, { platform: 'nitro', attest, openToken: (e) => openEnvelope(key.privateKey, e)?.toString('utf8'), requireSealedToken: true }), /clear where a sealed one was required/);
  assert.equal((await apmLogin(relay, { platform: 'nitro', attest, openToken: (e) => openEnvelope(key.privateKey, e)?.toString('utf8') })).token, server.rootToken, 'without requireSealedToken the substitute is taken');

  const dir = join(server.dir, 'dev-ca');
  const printed = await cli(['dev-enclave', 'login', '--dir', dir, '--pcr0', IMAGE, '--pcr8', SIGNER, '-format=json']);
  assert.equal(printed.code, 0, printed.stderr);
  const token = JSON.parse(printed.stdout).auth.client_token as string;
  assert.equal((await new SealtrailClient({ address: server.address, token }).kv('secret').get('bound/db'))?.data?.data?.password, SECRET_VALUE);
  const required = await cli(['dev-enclave', 'login', '--dir', dir, '--pcr0', IMAGE, '--pcr8', SIGNER, '--require-sealed-token', '-format=json']);
  assert.equal(required.code, 0, required.stderr);
  const without = await cli(['dev-enclave', 'login', '--dir', dir, '--pcr0', IMAGE, '--pcr8', SIGNER, '--no-enclave-key']);
  assert.equal(without.code, 2);
  assert.match(without.stderr, /no role authorizes this enclave/);
});

test('the binding applies to nitro roles only, and shows in the role', async () => {
  const snp = await call(server.address, 'POST', 'auth/apm/role/snp-bound', {
    token: server.rootToken, body: { platform: 'snp', measurement: 'aa'.repeat(48), token_policies: ['default'], token_bound_to_enclave_key: true },
  });
  assert.equal(snp.status, 400, snp.text);
  assert.match(snp.json.errors[0], /does not apply to snp roles: only a Nitro attestation document carries a public key/);
  const roles = (await root.list('auth/apm/role'))?.data?.keys ?? [];
  const bound = await Promise.all(roles.map(async (name) => (await root.read(`auth/apm/role/${name}`))?.data as { token_bound_to_enclave_key?: boolean }));
  assert.ok(bound.some((r) => r.token_bound_to_enclave_key === true));
});
