import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerApm } from '../../../src/cli/commands/apm.js';
import { registerAttest } from '../../../src/cli/commands/attest.js';
import { registerDevEnclave } from '../../../src/cli/commands/dev-enclave.js';
import { createContext } from '../../../src/cli/context.js';
import { exitFor } from '../../../src/cli/failure.js';
import { verifyNitroDocument } from '../../../src/attestation/index.js';
import { authorizationName } from '../../../src/sdk/apm.js';
import { memoryIo } from '../../cli/harness.js';
import { startFakeVault } from '../../sdk/fake-vault.js';
import { FIXTURE_TIME } from '../../attestation/fixtures.js';
import { IMAGE, SIGNER } from './helpers.js';

const FIXTURE = new URL('../../fixtures/nitro/sui-debug-enclave.hex', import.meta.url).pathname;

async function run(argv: string[], env: Record<string, string> = {}) {
  const io = memoryIo({ env });
  const program = new Command('sealtrail').option('--address <url>').option('--format <f>').exitOverride();
  const ctx = createContext(io, () => program.opts());
  for (const register of [registerApm, registerDevEnclave, registerAttest]) register(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const exit = exitFor(err);
    code = exit.exitCode;
    io.err.push(exit.message);
  }
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

test('attest verify prints the fixture claims at its time and fails a day later', async () => {
  const ok = await run(['attest', 'verify', '--platform', 'nitro', '--at', String(FIXTURE_TIME), '--allow-debug', '--format', 'json', FIXTURE]);
  assert.equal(ok.code, 0, ok.stderr);
  const claims = JSON.parse(ok.stdout);
  assert.deepEqual([claims.module_id, claims.debug, claims.timestamp, claims.measurements['3'].slice(0, 8)], ['i-0f73a4b4cb74cc9f2-enc0192e4188fef781d', true, '2024-11-14T23:46:29.450Z', '639a8b65']);
  const late = await run(['attest', 'verify', '--at', '2024-11-16T00:00:00Z', '--allow-debug', FIXTURE]);
  assert.deepEqual([late.code, late.stderr], [1, 'Verification failed (certificate_expired): the leaf certificate has expired at the verification time']);
  const noRoot = await run(['attest', 'verify', '--at', String(FIXTURE_TIME), '--no-aws-root', '--allow-debug', FIXTURE]);
  assert.match(noRoot.stderr, /untrusted_root/);
});

test('dev-enclave init + attest produce a document that attest verify accepts with the dev root only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealtrail-cli-dev-'));
  try {
    const ca = join(dir, 'ca');
    assert.equal((await run(['dev-enclave', 'init', '--dir', ca])).code, 0);
    assert.equal((await run(['dev-enclave', 'init', '--dir', ca])).code, 1); // never overwritten silently
    const nonce = Buffer.alloc(32, 5).toString('base64');
    const out = join(dir, 'doc.cbor');
    const issued = await run(['dev-enclave', 'attest', '--dir', ca, '--nonce', nonce, '--pcr0', IMAGE, '--pcr8', SIGNER, '--pcr', `4=${'ef'.repeat(48)}`, '--out', out]);
    assert.equal(issued.code, 0, issued.stderr);
    const doc = await readFile(out);
    const result = verifyNitroDocument(doc, { trustedRoots: [await readFile(join(ca, 'root.pem'), 'utf8')], now: Date.now(), expectedNonce: Buffer.alloc(32, 5) });
    assert.ok(result.ok && result.claims.measurements['4'] === 'ef'.repeat(48));

    const verified = await run(['attest', 'verify', '--root', join(ca, 'root.pem'), '--nonce', nonce, '--format', 'json', out]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.deepEqual([JSON.parse(verified.stdout).enclave_id, JSON.parse(verified.stdout).signer_id], [IMAGE, SIGNER]);
    const untrusted = await run(['attest', 'verify', out]);
    assert.match(untrusted.stderr, /untrusted_root/);

    await writeFile(join(dir, 'b64'), (await run(['dev-enclave', 'attest', '--dir', ca, '--pcr0', IMAGE])).stdout);
    assert.equal((await run(['attest', 'verify', '--root', join(ca, 'root.pem'), join(dir, 'b64')])).code, 0);
    assert.equal((await run(['dev-enclave', 'attest', '--dir', ca, '--pcr0', 'abc'])).code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** What a server answers to writing and deleting authorization `name`'s policy and role. */
const authorizationRoutes = (name: string) => ({
  [`POST /v1/sys/policies/acl/${name}`]: { status: 204 },
  [`POST /v1/auth/apm/role/${name}`]: { status: 204 },
  [`DELETE /v1/auth/apm/role/${name}`]: { status: 204 },
  [`DELETE /v1/sys/policies/acl/${name}`]: { status: 204 },
});

test('apm authorize writes the policy then the role; revoke deletes both; list shows roles', async () => {
  const a = { kind: 'signer' as const, platform: 'nitro', signerId: SIGNER, enginePath: 'secret', secretName: 'app/db' };
  const name = authorizationName(a);
  const fake = await startFakeVault({
    ...authorizationRoutes(name),
    'GET /v1/auth/apm/role/?list=true': { status: 200, body: { data: { keys: [name] } } },
    [`GET /v1/auth/apm/role/${name}`]: { status: 200, body: { data: { platform: 'nitro', signer_id: SIGNER, token_policies: [name] } } },
  });
  try {
    const env = { SEALTRAIL_ADDR: fake.address, SEALTRAIL_TOKEN: 'root' };
    const done = await run(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', SIGNER, '--engine-path', 'secret', '--ttl', '1h', 'app/db'], env);
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.url]), [['POST', `/v1/sys/policies/acl/${name}`], ['POST', `/v1/auth/apm/role/${name}`]]);
    assert.deepEqual(JSON.parse(fake.requests[0].body), { policy: `# Written by sealtrail apm authorize: nitro signer ${SIGNER}\npath "secret/data/app/db" {\n  capabilities = ["read"]\n}\n` });
    assert.deepEqual(JSON.parse(fake.requests[1].body), { platform: 'nitro', signer_id: SIGNER, token_policies: [name], token_ttl: '1h' });

    const listed = await run(['apm', 'list'], env);
    assert.match(listed.stdout, new RegExp(`${name}\\s+nitro\\s+${SIGNER}\\s+\\*\\s+${name}`));

    fake.requests.length = 0;
    assert.equal((await run(['apm', 'revoke', 'signer', '--signer', SIGNER, '--engine-path', 'secret', 'app/db'], env)).code, 0);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.url]), [['DELETE', `/v1/auth/apm/role/${name}`], ['DELETE', `/v1/sys/policies/acl/${name}`]]);
    const bad = await run(['apm', 'authorize', 'enclave', '--signer', SIGNER, '--engine-path', 'secret', 'app/db'], env);
    assert.deepEqual([bad.code, bad.stderr], [1, '--enclave is required to authorize an enclave']);
  } finally {
    await fake.close();
  }
});

test('apm authorize enclave --platform tdx writes mr_owner, mr_td and the RTMRs given, and refuses to write a role without one', async () => {
  const [owner, mrTd, rtmr1, rtmr3] = ['00', '91', '51', '53'].map((b) => b.repeat(48));
  const a = { kind: 'enclave' as const, platform: 'tdx', signerId: owner, enclaveId: mrTd, rtmrs: { rtmr1, rtmr3 }, enginePath: 'secret', secretName: 'app/db' };
  const name = authorizationName(a);
  const fake = await startFakeVault({
    ...authorizationRoutes(name),
  });
  try {
    const env = { SEALTRAIL_ADDR: fake.address, SEALTRAIL_TOKEN: 'root' };
    const base = ['apm', 'authorize', 'enclave', '--platform', 'tdx', '--signer', owner, '--enclave', mrTd, '--engine-path', 'secret'];
    const bare = await run([...base, 'app/db'], env);
    assert.deepEqual([bare.code, bare.stderr], [1, 'a tdx authorization must pin --rtmr1, --rtmr2 or --rtmr3 as well as the enclave (MRTD measures only the firmware)']);
    const notHex = await run([...base, '--rtmr1', 'zz', 'app/db'], env);
    assert.deepEqual([notHex.code, notHex.stderr], [1, 'rtmr1 must be hex']);
    const nitro = await run(['apm', 'authorize', 'enclave', '--signer', SIGNER, '--enclave', IMAGE, '--rtmr1', rtmr1, '--engine-path', 'secret', 'app/db'], env);
    assert.deepEqual([nitro.code, nitro.stderr], [1, '--rtmr1, --rtmr2 and --rtmr3 apply to tdx authorizations only']);
    assert.equal(fake.requests.length, 0, 'nothing written');

    const done = await run([...base, '--rtmr3', rtmr3.toUpperCase(), '--rtmr1', rtmr1, 'app/db'], env);
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.url]), [['POST', `/v1/sys/policies/acl/${name}`], ['POST', `/v1/auth/apm/role/${name}`]]);
    assert.deepEqual(JSON.parse(fake.requests[1].body), { platform: 'tdx', signer_id: owner, enclave_id: mrTd, rtmr1, rtmr3, token_policies: [name] });
    fake.requests.length = 0;
    assert.equal((await run(['apm', 'revoke', ...base.slice(2), '--rtmr1', rtmr1, '--rtmr3', rtmr3, 'app/db'], env)).code, 0);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.url]), [['DELETE', `/v1/auth/apm/role/${name}`], ['DELETE', `/v1/sys/policies/acl/${name}`]]);
  } finally {
    await fake.close();
  }
});
