/**
 * The audit log of one end-to-end scenario on the real dev server, every line run through Elastic's
 * `hashicorp_vault` audit ingest pipeline and index mapping (test/helpers/elastic-vault-pipeline.ts
 * lists their rules): KV v2 put/get/list/delete, token create/lookup/renew/revoke, a policy write
 * and a low-privilege token refused, a bad token, an unrouted path, response wrapping and unwrap,
 * attestation login (granted and refused), KMS calls through the AWS SDK (granted and failed) and
 * a capsule write and read. No line may reach the pipeline's on_failure, every mapped field must
 * index under its type, and request/response entries must pair by request.id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { SealtrailApiError, SealtrailClient, apmLogin, apmRoles } from '../../src/sdk/index.js';
import { encapsulate, loadCapsule } from '../../src/sdk/capsule.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { ingest, isIpLiteral, isIso8601, isLong, mappingViolations, MAPPED_FIELDS } from '../helpers/elastic-vault-pipeline.js';

const SIGNER = '5a'.repeat(48);
const IMAGE = 'e1'.repeat(48);
/** The entry a file device writes when it is enabled: a request entry alone, as Vault's test message. */
const DEVICE_TEST_PATH = 'sys/audit/test';

let server: TestServer;
let lines: string[];
/** Request ids of the scenario's calls, by name, from the HTTP answers or the audit log. */
const ids: Record<string, string> = {};

type Entry = Record<string, any>;
const entries = (): Entry[] => lines.map((l) => JSON.parse(l));
const byId = (id: string) => entries().filter((e) => e.request?.id === id);

before(async () => {
  server = await startDevServer();
  const base = server.address;
  const root = server.rootToken;
  const api = async (name: string, method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) => {
    const r = await call(base, method, path, { token: opts.token ?? root, body: opts.body, headers: opts.headers });
    if (r.json?.request_id) ids[name] = r.json.request_id;
    return r;
  };

  // KV v2: put, get, list, a missing key, delete.
  assert.equal((await api('kv-put', 'POST', 'secret/data/app/db', { body: { data: { password: 'pipeline-pw' } } })).status, 200);
  assert.equal((await api('kv-get', 'GET', 'secret/data/app/db')).status, 200);
  assert.equal((await api('kv-list', 'LIST', 'secret/metadata/app')).status, 200);
  assert.equal((await api('kv-missing', 'GET', 'secret/data/app/missing')).status, 404);

  // Tokens: a limited-use one (remaining_uses), looked up by itself and by root, renewed, revoked.
  const created = await api('token-create', 'POST', 'auth/token/create', { body: { policies: ['default'], ttl: '1h', num_uses: 5 } });
  assert.equal(created.status, 200);
  const limited = created.json.auth.client_token as string;
  assert.equal((await api('token-lookup-self', 'GET', 'auth/token/lookup-self', { token: limited })).status, 200);
  assert.equal((await api('token-lookup', 'POST', 'auth/token/lookup', { body: { token: limited } })).status, 200);
  assert.equal((await api('token-renew', 'POST', 'auth/token/renew', { body: { token: limited, increment: '2h' } })).status, 200);

  // A policy, and a token holding only it refused a write; a token that does not exist; no route.
  assert.equal((await api('policy', 'PUT', 'sys/policies/acl/app-read', { body: { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' } })).status, 204);
  const low = (await api('low-create', 'POST', 'auth/token/create', { body: { policies: ['app-read'], ttl: '10m' } })).json.auth.client_token as string;
  assert.equal((await api('denied', 'POST', 'secret/data/app/db', { token: low, body: { data: { password: 'overwrite' } } })).status, 403);
  assert.equal((await api('bad-token', 'GET', 'secret/data/app/db', { token: 'hvs.this-token-does-not-exist' })).status, 403);
  assert.equal((await api('unrouted', 'GET', 'nowhere/at/all')).status, 404);

  // Response wrapping, and the unwrap.
  const wrapped = await api('wrap', 'GET', 'secret/data/app/db', { headers: { 'x-vault-wrap-ttl': '5m' } });
  assert.equal(wrapped.status, 200);
  assert.equal((await api('unwrap', 'POST', 'sys/wrapping/unwrap', { token: wrapped.json.wrap_info.token })).status, 200);
  assert.equal((await api('kv-delete', 'DELETE', 'secret/data/app/db')).status, 204);
  assert.equal((await api('token-revoke', 'POST', 'auth/token/revoke', { body: { token: limited } })).status, 204);

  // Attestation login with the dev enclave: a signer with a role logs in, another is refused.
  const client = new SealtrailClient({ address: base, token: root });
  await apmRoles(client).put('pipeline', { platform: 'nitro', signer_id: SIGNER, token_policies: ['app-read'] });
  const ca = await loadDevCaFromDir(join(server.dir, 'dev-ca'));
  const anonymous = new SealtrailClient({ address: base, token: '' });
  const login = (signer: string) => {
    const enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: signer } });
    return apmLogin(anonymous, { platform: 'nitro', attest: (challenge) => enclave.attest({ nonce: challenge }) });
  };
  assert.match((await login(SIGNER)).token, /^hvs\./);
  await assert.rejects(login('aa'.repeat(48)), (err) => err instanceof SealtrailApiError && err.status === 403);

  // KMS through the AWS SDK: a key, an Encrypt, and a Decrypt of bytes that are no ciphertext.
  const kms = new KMSClient({ endpoint: base, region: 'us-east-1', credentials: server.awsCredentials });
  try {
    const key = await kms.send(new CreateKeyCommand({ Description: 'pipeline' }));
    await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId!, Plaintext: Buffer.from('pipeline-plaintext') }));
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a ciphertext at all') })), (err: Error) => err.name === 'InvalidCiphertextException');
  } finally {
    kms.destroy();
  }

  // A capsule written and read.
  const capsule = await encapsulate(client, 'hello John Smith', { writeContext: 'sensitive' });
  assert.equal((await loadCapsule(client, capsule.capsule, { readContext: 'default' })).data, 'hello John Smith');

  lines = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the log ends with a newline');
  // Refusals and 204s answer no request id: theirs are found in the log, by path and operation.
  const last = (path: string, operation = 'update') => {
    const found = entries().filter((e) => e.type === 'request' && e.request.path === path && e.request.operation === operation).at(-1);
    assert.ok(found, `no request entry for ${operation} ${path}`);
    return found.request.id as string;
  };
  ids['denied'] = last('secret/data/app/db');
  ids['bad-token'] = entries().find((e) => e.request.path === 'secret/data/app/db' && !e.auth.client_token)?.request.id ?? 'none';
  ids['unrouted'] = last('nowhere/at/all', 'read');
  ids['kv-delete'] = last('secret/data/app/db', 'delete');
  ids['kv-missing'] = last('secret/data/app/missing', 'read');
  ids['kms-decrypt'] = last('kms/aws/Decrypt');
  ids['login-refused'] = last('auth/apm/v0/attest/nitro/auth');
});
after(async () => {
  await server?.stop();
});

test('every line of the audit log is a JSON object that passes the pipeline without on_failure', () => {
  assert.ok(lines.length >= 50, `the scenario wrote ${lines.length} lines`);
  const failures = lines.map((line, i) => ({ line: i + 1, result: ingest(line) })).filter((r) => !r.result.ok);
  assert.deepEqual(failures, []);

});

test('every mapped field indexes under its fields.yml type, and the scenario wrote each typed field', () => {
  const violations = entries().flatMap((e, i) => mappingViolations(e).map((v) => `line ${i + 1}: ${v}`));
  assert.deepEqual(violations, []);
  const seen = new Set<string>();
  const walk = (v: unknown, prefix: string) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return void seen.add(prefix);
    for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k);
  };
  for (const e of entries()) walk(e, '');
  const typed = ['request.remote_address', 'request.remote_port', 'request.wrap_ttl', 'auth.token_ttl', 'auth.token_issue_time',
    'auth.remaining_uses', 'response.auth.num_uses', 'response.auth.token_ttl', 'response.auth.token_issue_time',
    'response.wrap_info.ttl', 'response.wrap_info.creation_time', 'request.client_token', 'request.client_token_accessor', 'request.id'];
  for (const field of typed) {
    assert.ok(MAPPED_FIELDS[field], `${field} is mapped`);
    assert.ok(seen.has(field), `no entry of the scenario has ${field}`);
  }
});

test('request and response entries pair by request.id, the response after its request', () => {
  const all = entries();
  const requests = new Map<string, number>();
  for (const [i, e] of all.entries()) {
    assert.ok(e.type === 'request' || e.type === 'response', `line ${i + 1}: type ${e.type}`);
    assert.match(e.request.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    if (e.type === 'request') {
      assert.ok(!requests.has(e.request.id), `line ${i + 1}: a second request entry for ${e.request.id}`);
      requests.set(e.request.id, i);
      continue;
    }
    const at = requests.get(e.request.id);
    assert.ok(at !== undefined, `line ${i + 1}: a response without its request entry`);
    assert.equal(all.filter((x) => x.type === 'response' && x.request.id === e.request.id).length, 1);
    assert.deepEqual([e.request.path, e.request.operation, e.request.remote_address, e.request.remote_port],
      [all[at].request.path, all[at].request.operation, all[at].request.remote_address, all[at].request.remote_port]);
  }
  for (const name of Object.keys(ids)) assert.ok(requests.has(ids[name]), `${name}: no request entry for ${ids[name]}`);
  // Every request that has no response entry was refused, and says why.
  const answered = new Set(all.filter((e) => e.type === 'response').map((e) => e.request.id));
  for (const e of all.filter((x) => x.type === 'request' && !answered.has(x.request.id) && x.request.path !== DEVICE_TEST_PATH)) {
    assert.equal(typeof e.error, 'string', `${e.request.path}: unanswered and no error`);
  }
});

test('what an analyst sees: action, outcome, message and source of each kind of call', () => {
  const ecs = (id: string, type: string) => {
    const entry = byId(id).find((e) => e.type === type);
    assert.ok(entry, `no ${type} entry for ${id}`);
    const r = ingest(JSON.stringify(entry));
    assert.ok(r.ok, `${entry.request.path}: ${JSON.stringify(r)}`);
    return r.ecs;
  };
  assert.deepEqual(ecs(ids['kv-put'], 'response').event, { kind: 'event', category: ['authentication'], type: ['info', 'start'], action: 'create', outcome: 'success', id: ids['kv-put'] });
  assert.deepEqual(ecs(ids['kv-get'], 'response').event.outcome, 'success');
  assert.deepEqual(ecs(ids['kv-missing'], 'response').event.outcome, 'success', 'a missing KV key is no error in Vault\'s log');
  assert.deepEqual(ecs(ids['kv-delete'], 'response').event.type, ['info', 'end']);
  // As Vault: an ACL refusal's request entry carries the multierror, an unknown token's the plain
  // message; an unrouted request passed its checks (no error) and fails in its response entry.
  const denied = ecs(ids.denied, 'request');
  assert.deepEqual([denied.event.outcome, denied.message], ['failure', '1 error occurred:\n\t* permission denied\n\n']);
  const badToken = ecs(ids['bad-token'], 'request');
  assert.deepEqual([badToken.event.outcome, badToken.message], ['failure', 'permission denied']);
  assert.equal(ecs(ids.unrouted, 'request').event.outcome, 'success');
  assert.equal(ecs(ids.unrouted, 'response').event.outcome, 'failure');
  const refused = ecs(ids['login-refused'], 'response');
  assert.deepEqual([refused.event.outcome, refused.message], ['failure', 'attestation refused: no role authorizes this enclave']);
  // A success never carries an `error` key: the pipeline counts even "" as a failure.
  for (const e of entries()) if ('error' in e) assert.notEqual(e.error, '', `${e.request.path}: empty error`);
  // Every entry of an HTTP request is attributed to the IPv4 loopback client and its port.
  for (const e of entries().filter((x) => x.request.path !== DEVICE_TEST_PATH)) {
    const r = ingest(JSON.stringify(e));
    assert.ok(r.ok && r.ecs.source?.ip === '127.0.0.1' && Number.isInteger(r.ecs.source.port) && r.ecs.source.port! > 0, `${e.request.path}: source ${JSON.stringify(r.ok && r.ecs.source)}`);
    assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/, 'RFC 3339 in UTC, at most nanoseconds');
  }
});

// Vault writes a response entry (with the multierror text in `error`) for a request it refuses;
// without it a SIEM sees a request that never finished.
test('every refused request also has a response entry carrying its error', () => {
  for (const name of ['denied', 'bad-token', 'unrouted']) {
    const pair = byId(ids[name]);
    assert.deepEqual(pair.map((e) => e.type), ['request', 'response'], `${name}: the refusal's entries`);
    assert.equal(typeof pair[1].error, 'string');
    const reason = name === 'unrouted' ? 'unsupported path' : 'permission denied';
    assert.ok(pair[1].error === `1 error occurred:\n\t* ${reason}\n\n`, `${name}: ${JSON.stringify(pair[1].error)} is Vault's multierror of ${reason}`);
    const r = ingest(JSON.stringify(pair[1]));
    assert.ok(r.ok && r.ecs.event.outcome === 'failure', `${name}: ${JSON.stringify(r)}`);
  }
});

// A KMS call that AWS answers with an error must not read as a success in the SIEM.
test('a failed KMS call\'s response entry carries error, so its outcome is failure', () => {
  const response = byId(ids['kms-decrypt']).find((e) => e.type === 'response');
  assert.ok(response, 'the failed Decrypt has a response entry');
  assert.equal(typeof response.error, 'string', 'the failed Decrypt\'s response entry has an error');
  const r = ingest(JSON.stringify(response));
  assert.ok(r.ok && r.ecs.event.outcome === 'failure', JSON.stringify(r));
});

test('the evaluator refuses what the pipeline and the mapping refuse', () => {
  const good = { time: '2026-01-02T03:04:05.123456789Z', type: 'request', request: { id: 'x', operation: 'read', remote_address: '127.0.0.1', remote_port: 1234 } };
  const line = (patch: (e: any) => void) => { const e = structuredClone(good); patch(e); return JSON.stringify(e); };
  assert.ok(ingest(JSON.stringify(good)).ok, 'a good line');
  assert.ok(ingest(line((e) => { e.request.remote_address = '::1'; })).ok, 'an IPv6 peer');
  for (const [what, bad] of [
    ['not JSON', '{"time":'],
    ['no time', line((e) => { delete e.time; })],
    ['a time without a date', line((e) => { e.time = '03:04:05Z'; })],
    ['a time on 30 February', line((e) => { e.time = '2026-02-30T00:00:00Z'; })],
    ['no operation', line((e) => { delete e.request.operation; })],
    ['an error object', line((e) => { e.error = { message: 'x' }; })],
    ['a bracketed address', line((e) => { e.request.remote_address = '[::1]'; })],
    ['an address with a zone', line((e) => { e.request.remote_address = 'fe80::1%eth0'; })],
    ['a host name', line((e) => { e.request.remote_address = 'localhost'; })],
    ['a fractional port', line((e) => { e.request.remote_port = 1.5; })],
  ] as const) assert.equal(ingest(bad).ok, false, what);
  assert.equal((ingest(line((e) => { e.error = ''; })) as any).ecs.event.outcome, 'failure');
  assert.deepEqual(mappingViolations({ auth: { token_ttl: 1.5, token_issue_time: '2026-01-02 03:04:05' }, request: { wrap_ttl: '5m' }, response: { wrap_info: { creation_time: 'yesterday' } } }), [
    'auth.token_issue_time (date): "2026-01-02 03:04:05"', 'auth.token_ttl (long): 1.5', 'request.wrap_ttl (long): "5m"', 'response.wrap_info.creation_time (date): "yesterday"',
  ]);
  assert.deepEqual(mappingViolations({ auth: { policies: ['a', { b: 1 }] }, request: { data: { a: { b: 'deep' } } } }), ['auth.policies (keyword): ["a",{"b":1}]']);
  assert.ok(isIso8601('2020-05-28T13:40:18-05:00'), 'a time with an offset, as in the integration test data');
  assert.ok(isIpLiteral('::ffff:127.0.0.1'), 'an IPv4-mapped address is an IPv6 literal');
  assert.ok(isLong('9223372036854775807') && !isLong('9223372036854775808'), 'longs are 64-bit');
});
