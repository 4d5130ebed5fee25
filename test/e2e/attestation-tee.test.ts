/**
 * Attestation login with real AMD SEV-SNP, Intel TDX and Intel SGX evidence through the real dev
 * server: the same init/auth flow, audit entries, correlation id and entity rules as Nitro.
 *
 * The evidence is recorded (test/fixtures/{snp,tdx,sgx}), so it cannot sign a fresh challenge: the
 * test injects the server's challenge source to hand out each fixture's REPORT_DATA[0..32], and a
 * clock inside the fixtures' validity window. Every check of the production path stays in place —
 * a challenge other than the one in the evidence is refused (below).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { entityIdFor } from '../../src/auth/apm/index.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

const fixture = (path: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)));

const SNP_REPORT = fixture('snp/01_gosevguest_milan_v2_vcek/attestation.bin');
const SNP_VCEK = fixture('snp/01_gosevguest_milan_v2_vcek/vcek.testcer');
const SNP_MEASUREMENT = 'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01';
const TDX_QUOTE = fixture('tdx/01_phala_tdx_v4_uptodate/tdx_quote');
const TDX_COLLATERAL = JSON.parse(fixture('tdx/01_phala_tdx_v4_uptodate/tdx_quote_collateral.json').toString('utf8'));
const TDX_MR_TD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const TDX_RTMR0 = '44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0';
const TDX_RTMR1 = '0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378';
const TDX_RTMR2 = 'd833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132';
const SGX_QUOTE = fixture('sgx/01_phala_sgx_v3/sgx_quote');
const SGX_COLLATERAL = JSON.parse(fixture('sgx/01_phala_sgx_v3/sgx_quote_collateral.json').toString('utf8'));
const SGX_MR_SIGNER = '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6';
const SGX_MR_ENCLAVE = '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb';

/** Inside every fixture's window: the DCAP collateral (2025-06-19..07-19) and the VCEK (..2029). */
const T = Date.parse('2025-07-01T00:00:00Z');

/** REPORT_DATA[0..32] of each fixture: SNP at 0x50, SGX at 48 + 320, TDX at 48 + 520. */
const BOUND: Record<string, Uint8Array> = {
  snp: SNP_REPORT.subarray(0x50, 0x50 + 32),
  sgx: SGX_QUOTE.subarray(48 + 320, 48 + 352),
  tdx: TDX_QUOTE.subarray(48 + 520, 48 + 552),
};

let server: TestServer;
/** Flipped by the test that proves a foreign challenge is refused. */
let bindFixtures = true;

type Entry = Record<string, any>;
const auditEntries = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function login(platform: string, evidence: Uint8Array, extra: Record<string, unknown> = {}, sendId = (id: string) => id) {
  const init = await call(server.address, 'POST', `auth/apm/v0/attest/${platform}/init`, { body: {} });
  assert.equal(init.status, 200, init.text);
  const { correlation_id: correlationId, challenge } = init.json.data.data;
  const auth = await call(server.address, 'POST', `auth/apm/v0/attest/${platform}/auth`, {
    body: { correlation_id: sendId(correlationId), message: Buffer.from(evidence).toString('base64'), ...extra },
  });
  return { correlationId, challenge: Buffer.from(challenge, 'base64'), auth };
}

const write = async (path: string, body: Record<string, unknown>) => {
  const r = await call(server.address, 'POST', path, { token: server.rootToken, body });
  assert.ok(r.status === 200 || r.status === 204, `${path}: ${r.status} ${r.text}`);
};

before(async () => {
  server = await startDevServer({
    clock: manualClock(T),
    apmChallengeSource: (platform, id) => (bindFixtures ? BOUND[platform] : createHash('sha256').update(id).digest()),
  });
  await write('sys/policies/acl/tee', { policy: 'path "secret/data/tee/*" { capabilities = ["read"] }' });
  await write('secret/data/tee/db', { data: { password: 'tee-db-password' } });
  await write('auth/apm/role/snp', { platform: 'snp', measurement: SNP_MEASUREMENT, min_tcb: { bootloader: 2, snp: 5, microcode: 68 }, vmpl: 0, allow_debug: true, token_policies: 'tee' });
  await write('auth/apm/role/tdx', { platform: 'tdx', mr_td: TDX_MR_TD, rtmr0: TDX_RTMR0, rtmr1: TDX_RTMR1, rtmr2: TDX_RTMR2, token_policies: 'tee' });
  await write('auth/apm/role/sgx', { platform: 'sgx', mr_signer: SGX_MR_SIGNER, token_policies: 'tee' });
  await write('auth/apm/config/tdx', { collateral: TDX_COLLATERAL });
});

after(async () => {
  await server?.stop();
});

test('SEV-SNP: a real VCEK-signed report logs in, and its token reads the secret with the entity of measurement and ID key', async () => {
  const { challenge, auth, correlationId } = await login('snp', SNP_REPORT, { certificates: [SNP_VCEK.toString('base64')] });
  assert.deepEqual(challenge, Buffer.from(BOUND.snp));
  assert.equal(auth.status, 200, auth.text);
  assert.deepEqual(auth.json.auth.policies, ['default', 'tee']);
  assert.equal(auth.json.auth.metadata.platform, 'snp');
  assert.equal(auth.json.data.data.correlation_id, correlationId);
  assert.equal(auth.json.data.data.enclave_id, SNP_MEASUREMENT);
  assert.equal(auth.json.auth.entity_id, entityIdFor('0'.repeat(96), SNP_MEASUREMENT));
  const read = await call(server.address, 'GET', 'secret/data/tee/db', { token: auth.json.auth.client_token });
  assert.equal(read.json.data.data.password, 'tee-db-password');
  const entries = auditEntries().filter((e) => e.request?.path === 'auth/apm/v0/attest/snp/auth');
  assert.deepEqual(entries.map((e) => e.type), ['request', 'response']);
  assert.equal(entries[1].auth.entity_id, auth.json.auth.entity_id);
});

test('SEV-SNP: without its VCEK, with the report from another chip, or on a role that does not allow debug, the login is refused', async () => {
  const missing = await login('snp', SNP_REPORT);
  assert.equal(missing.auth.status, 400, missing.auth.text);
  assert.deepEqual(missing.auth.json.errors, ['attestation failed: exactly one VCEK or VLEK certificate must come with the report']);
  const vlek = fixture('snp/03_trustee_milan_v3_vlek/test-vlek.der');
  const wrongKey = await login('snp', SNP_REPORT, { certificates: [vlek.toString('base64')] });
  assert.equal(wrongKey.auth.status, 403, wrongKey.auth.text);
  await write('auth/apm/role/snp', { platform: 'snp', measurement: SNP_MEASUREMENT, token_policies: 'tee' });
  try {
    const debug = await login('snp', SNP_REPORT, { certificates: [SNP_VCEK.toString('base64')] });
    assert.equal(debug.auth.status, 403);
    assert.deepEqual(debug.auth.json.errors, ['attestation refused: no role authorizes this enclave']);
  } finally {
    await write('auth/apm/role/snp', { platform: 'snp', measurement: SNP_MEASUREMENT, allow_debug: true, token_policies: 'tee' });
  }
});

test('a correlation id sent back upper-cased is the same id: the login, its attestation record and its init share it', async () => {
  const { auth, correlationId } = await login('tdx', TDX_QUOTE, {}, (id) => id.toUpperCase());
  assert.equal(auth.status, 200, auth.text);
  assert.equal(auth.json.data.data.correlation_id, correlationId);
  const records = await call(server.address, 'GET', `sys/journal/records?correlation_id=${correlationId}&order=asc`, { token: server.rootToken });
  assert.equal(records.status, 200, records.text);
  const seen = records.json.data.records.map((r: Entry) => `${r.kind} ${r.path ?? ''}`);
  // Keyed by what the server established: init's answer, the attestation and the login's answer.
  // Request entries carry the client's text, not a key; a timeline joins them by request id.
  assert.deepEqual(seen, [
    'vault-response auth/apm/v0/attest/tdx/init', 'attestation auth/apm/v0/attest/tdx/auth', 'vault-response auth/apm/v0/attest/tdx/auth',
  ]);
  const timeline = await call(server.address, 'GET', `sys/journal/timeline?correlation_id=${correlationId}`, { token: server.rootToken });
  assert.deepEqual(timeline.json.data.groups.map((g: { records: Entry[] }) => g.records.map((r) => `${r.kind} ${r.path ?? ''}`)), [
    ['vault-request auth/apm/v0/attest/tdx/init', 'vault-response auth/apm/v0/attest/tdx/init'],
    ['vault-request auth/apm/v0/attest/tdx/auth', 'attestation auth/apm/v0/attest/tdx/auth', 'vault-response auth/apm/v0/attest/tdx/auth'],
  ]);
  const upper = await call(server.address, 'GET', `sys/journal/records?correlation_id=${correlationId.toUpperCase()}`, { token: server.rootToken });
  assert.deepEqual(upper.json.data.records, []);
});

test("knowing a correlation id files nothing under it: replayed logins and an init naming it stay out of the enclave's timeline", async () => {
  const { auth, correlationId } = await login('tdx', TDX_QUOTE);
  assert.equal(auth.status, 200, auth.text);
  const entity = auth.json.auth.entity_id as string;
  const records = async () => (await call(server.address, 'GET', `sys/journal/records?correlation_id=${correlationId}`, { token: server.rootToken })).json.data.records.length;
  const timeline = async () => (await call(server.address, 'GET', `sys/journal/timeline?entity_id=${entity}`, { token: server.rootToken })).json.data;
  const [keyed, story] = [await records(), await timeline()];
  // Whoever relays the login, or reads the audit log, knows the id: it sends logins under it, and
  // asks init with it in the body.
  for (let i = 0; i < 20; i++) {
    const spam = await call(server.address, 'POST', 'auth/apm/v0/attest/tdx/auth', { body: { correlation_id: correlationId, message: 'AAAA' } });
    assert.deepEqual([spam.status, spam.json.errors], [400, ['the challenge has already been used']]);
  }
  const init = await call(server.address, 'POST', 'auth/apm/v0/attest/tdx/init', { body: { correlation_id: correlationId } });
  assert.notEqual(init.json.data.data.correlation_id, correlationId);
  assert.equal(await records(), keyed, 'none of it is keyed by the id');
  const after = await timeline();
  assert.equal(after.groups.length, story.groups.length, "the enclave's timeline is its own");
  assert.deepEqual([after.truncated, after.next_since], [false, null]);
  // Bounded in time: nothing of it after a date to come, and a bad bound is refused.
  const later = await call(server.address, 'GET', `sys/journal/timeline?entity_id=${entity}&since=2262-01-01T00:00:00Z`, { token: server.rootToken });
  assert.deepEqual([later.status, later.json.data?.groups], [200, []], later.text);
  const bad = await call(server.address, 'GET', `sys/journal/timeline?entity_id=${entity}&until=yesterday`, { token: server.rootToken });
  assert.equal(bad.status, 400);
});

test('TDX: a real quote logs in with the collateral the operator stored, UpToDate, and the journal records the TCB status', async () => {
  const { auth, correlationId } = await login('tdx', TDX_QUOTE);
  assert.equal(auth.status, 200, auth.text);
  assert.equal(auth.json.auth.metadata.platform, 'tdx');
  assert.equal(auth.json.data.data.enclave_id, TDX_MR_TD);
  const records = await call(server.address, 'GET', `sys/journal/records?kind=attestation&correlation_id=${correlationId}`, { token: server.rootToken });
  assert.equal(records.status, 200, records.text);
  const [record] = records.json.data.records;
  assert.equal(record.record.verdict, 'granted');
  assert.equal(record.record.tcb_status, 'UpToDate');
  assert.deepEqual(record.record.advisory_ids, []);
  assert.equal(record.record.measurements.rtmr0, TDX_RTMR0);
});

test('TDX: a login may bring its own collateral only if it is not older than the collateral the operator stored', async () => {
  // The same collateral as the stored one is not older: admitted.
  const same = await login('tdx', TDX_QUOTE, { collateral: TDX_COLLATERAL });
  assert.equal(same.auth.status, 200, same.auth.text);
  // TCB info from an earlier TCB evaluation (still inside its window, say, from before a TCB
  // recovery): refused before anything of it is verified.
  const tcbInfo = JSON.parse(TDX_COLLATERAL.tcb_info) as { tcbEvaluationDataNumber: number };
  const earlier = { ...TDX_COLLATERAL, tcb_info: JSON.stringify({ ...tcbInfo, tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber - 1 }) };
  const older = await login('tdx', TDX_QUOTE, { collateral: earlier });
  assert.equal(older.auth.status, 403, older.auth.text);
  assert.deepEqual(older.auth.json.errors, [`attestation refused: the login's collateral is older than the configured collateral (its TCB info has TCB evaluation data number ${tcbInfo.tcbEvaluationDataNumber - 1}, below the configured collateral's ${tcbInfo.tcbEvaluationDataNumber})`]);
  // The attempt is in the journal with its verdict and reason, as a failed verification is.
  const records = await call(server.address, 'GET', `sys/journal/records?kind=attestation&correlation_id=${older.correlationId}`, { token: server.rootToken });
  assert.deepEqual(records.json.data.records.map((r: Entry) => [r.record.verdict, r.record.reason]), [['failed', older.auth.json.errors[0]]]);
  // A number raised by hand passes the comparison and fails the signature it no longer matches.
  const forged = { ...TDX_COLLATERAL, tcb_info: JSON.stringify({ ...tcbInfo, tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber + 1 }) };
  const raised = await login('tdx', TDX_QUOTE, { collateral: forged });
  assert.equal(raised.auth.status, 400, raised.auth.text);
  assert.match(raised.auth.json.errors[0], /TCB info signature does not verify/);
});

test('TDX: a role pinning only the firmware (mr_td, rtmr0) is refused; one pinning another kernel (rtmr1) does not admit the quote', async () => {
  const firmwareOnly = await call(server.address, 'POST', 'auth/apm/role/tdx-firmware', {
    token: server.rootToken, body: { platform: 'tdx', mr_td: TDX_MR_TD, rtmr0: TDX_RTMR0, token_policies: 'tee' },
  });
  assert.equal(firmwareOnly.status, 400, firmwareOnly.text);
  assert.match(firmwareOnly.json.errors[0], /^a tdx role must pin rtmr1, rtmr2 or rtmr3 as well as mr_td/);
  assert.ok(!firmwareOnly.text.includes(TDX_MR_TD.slice(0, 16)));
  await write('auth/apm/role/tdx', { platform: 'tdx', mr_td: TDX_MR_TD, rtmr1: 'ee'.repeat(48), token_policies: 'tee' });
  try {
    const other = await login('tdx', TDX_QUOTE);
    assert.deepEqual([other.auth.status, other.auth.json.errors], [403, ['attestation refused: no role authorizes this enclave']]);
  } finally {
    await write('auth/apm/role/tdx', { platform: 'tdx', mr_td: TDX_MR_TD, rtmr0: TDX_RTMR0, rtmr1: TDX_RTMR1, rtmr2: TDX_RTMR2, token_policies: 'tee' });
  }
});

test('TDX: apm authorize enclave pins the RTMRs it is given, refuses to write a role without one, and the quote then reads the secret', async () => {
  const cli = (argv: string[]) => runIn(argv, { env: { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken } });
  const base = ['apm', 'authorize', 'enclave', '--platform', 'tdx', '--signer', '00'.repeat(48), '--enclave', TDX_MR_TD, '--engine-path', 'secret'];
  const bare = await cli([...base, 'tee/cli']);
  assert.deepEqual([bare.code, bare.stderr.trim()], [1, 'a tdx authorization must pin --rtmr1, --rtmr2 or --rtmr3 as well as the enclave (MRTD measures only the firmware)']);
  const roles = await call(server.address, 'LIST', 'auth/apm/role', { token: server.rootToken });
  const policies = await call(server.address, 'LIST', 'sys/policies/acl', { token: server.rootToken });
  assert.ok(![...roles.json.data.keys, ...policies.json.data.keys].some((k: string) => k.startsWith('apm-tdx-')), 'nothing written');
  await write('secret/data/tee/cli', { data: { password: 'tee-cli-password' } });
  const ok = await cli([...base, '--rtmr1', TDX_RTMR1, '--rtmr2', TDX_RTMR2.toUpperCase(), 'tee/cli']);
  assert.equal(ok.code, 0, ok.stderr);
  const name = ok.stdout.match(/role and policy "([^"]+)"/)![1];
  const role = await call(server.address, 'GET', `auth/apm/role/${name}`, { token: server.rootToken });
  assert.deepEqual([role.json.data.mr_td, role.json.data.rtmr1, role.json.data.rtmr2, role.json.data.rtmr3], [TDX_MR_TD, TDX_RTMR1, TDX_RTMR2, undefined]);
  const { auth } = await login('tdx', TDX_QUOTE);
  assert.equal(auth.status, 200, auth.text);
  const read = await call(server.address, 'GET', 'secret/data/tee/cli', { token: auth.json.auth.client_token });
  assert.equal(read.json.data.data.password, 'tee-cli-password');
  const revoked = await cli(['apm', 'revoke', ...base.slice(2), '--rtmr1', TDX_RTMR1, '--rtmr2', TDX_RTMR2, 'tee/cli']);
  assert.equal(revoked.code, 0, revoked.stderr);
  const left = await call(server.address, 'LIST', 'auth/apm/role', { token: server.rootToken });
  assert.ok(!left.json.data.keys.includes(name), 'the role is gone');
});

test('SGX: ConfigurationAndSWHardeningNeeded is refused by a default role and admitted by one that accepts it; collateral per request', async () => {
  const refused = await login('sgx', SGX_QUOTE, { collateral: SGX_COLLATERAL });
  assert.equal(refused.auth.status, 403, refused.auth.text);
  assert.deepEqual(refused.auth.json.errors, ['attestation refused: no role authorizes this enclave']);
  const entry = auditEntries().find((e) => e.type === 'response' && e.request?.path === 'auth/apm/v0/attest/sgx/auth');
  assert.ok(entry, 'the refusal is audited');

  await write('auth/apm/role/sgx', {
    platform: 'sgx', mr_signer: SGX_MR_SIGNER, mr_enclave: SGX_MR_ENCLAVE, accepted_tcb_statuses: 'UpToDate,SWHardeningNeeded,ConfigurationAndSWHardeningNeeded', token_policies: 'tee',
  });
  // Through the SDK, as a workload would: the challenge goes into REPORT_DATA, the collateral along.
  const granted = await apmLogin(new SealtrailClient({ address: server.address, token: '' }), {
    platform: 'sgx',
    attest: (challenge) => {
      assert.deepEqual(Buffer.from(challenge), Buffer.from(BOUND.sgx));
      return SGX_QUOTE;
    },
    collateral: SGX_COLLATERAL,
  });
  assert.equal(granted.entityId, entityIdFor(SGX_MR_SIGNER, SGX_MR_ENCLAVE));
  const records = await call(server.address, 'GET', `sys/journal/records?kind=attestation&correlation_id=${granted.correlationId}`, { token: server.rootToken });
  assert.deepEqual(records.json.data.records[0].record.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);

  const noCollateral = await login('sgx', SGX_QUOTE);
  assert.equal(noCollateral.auth.status, 400, noCollateral.auth.text);
  assert.match(noCollateral.auth.json.errors[0], /collateral/);
});

test('a challenge other than the one in the evidence is refused on every platform', async () => {
  bindFixtures = false;
  try {
    for (const [platform, evidence, extra] of [
      ['snp', SNP_REPORT, { certificates: [SNP_VCEK.toString('base64')] }],
      ['tdx', TDX_QUOTE, {}],
      ['sgx', SGX_QUOTE, { collateral: SGX_COLLATERAL }],
    ] as const) {
      const r = await login(platform, evidence, extra);
      assert.equal(r.auth.status, 403, `${platform}: ${r.auth.text}`);
      assert.match(r.auth.json.errors[0], /^attestation failed: .*challenge/, platform);
    }
    // A replayed report or quote is refused on its challenge before any certificate, signature or
    // collateral is looked at: the same answer, whatever else is wrong with it.
    const vlek = fixture('snp/03_trustee_milan_v3_vlek/test-vlek.der');
    for (const [platform, evidence, extra] of [
      ['snp', SNP_REPORT, {}],
      ['snp', SNP_REPORT, { certificates: [vlek.toString('base64')] }],
      ['sgx', SGX_QUOTE, {}],
    ] as const) {
      const r = await login(platform, evidence, extra);
      assert.deepEqual([r.auth.status, r.auth.json.errors], [403, ['attestation failed: REPORT_DATA[0..32] is not the expected challenge']], `${platform} ${JSON.stringify(extra).slice(0, 40)}`);
    }
  } finally {
    bindFixtures = true;
  }
});

test('bad login input gets a clear 400 and echoes nothing', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['tdx', { certificates: ['AAAA'] }],
    ['snp', { collateral: {} }],
    ['snp', { certificates: 'not base64 !!!' }],
    ['snp', { certificates: Array(5).fill(SNP_VCEK.toString('base64')) }],
    ['sgx', { collateral: '{not json' }],
    ['sgx', { collateral: { tcb_info: 'x' } }],
  ];
  for (const [platform, extra] of cases) {
    const r = await login(platform, platform === 'snp' ? SNP_REPORT : platform === 'tdx' ? TDX_QUOTE : SGX_QUOTE, extra);
    assert.equal(r.auth.status, 400, `${platform} ${JSON.stringify(extra).slice(0, 80)}: ${r.auth.text}`);
    assert.doesNotMatch(r.auth.text, /not base64|\{not json/);
  }
});
