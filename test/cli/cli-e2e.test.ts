/**
 * End to end: the real CLI (src/cli/main.ts through tsx) starts a real dev server on port 0, and
 * further CLI processes drive it — status, kv, policy, token, secrets, audit, login, and bad input —
 * checking outputs and exit codes. The server is killed in `after`, whatever happened.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = 'src/cli/main.ts';
const START_TIMEOUT_MS = 60_000;

let server: ChildProcess | undefined;
let serverExited: Promise<void> = Promise.resolve();
let serverLog = '';
let dir = '';
let home = '';
let address = '';
let rootToken = '';

/** The environment without any token or address inherited from the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['SEALTRAIL_ADDR', 'SEALTRAIL_TOKEN', 'VAULT_ADDR', 'VAULT_TOKEN', 'SEALTRAIL_FORMAT', 'VAULT_FORMAT']) delete env[k];
  return { ...env, HOME: home, ...extra };
}

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: cleanEnv({ SEALTRAIL_ADDR: address, SEALTRAIL_TOKEN: rootToken, ...opts.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealtrail-cli-e2e-'));
  home = join(dir, 'home');
  await import('node:fs/promises').then((fs) => fs.mkdir(home));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${join(dir, 'data')}`], {
    cwd: ROOT,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  serverExited = new Promise((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev server did not print its address in time:\n${serverLog}`)), START_TIMEOUT_MS);
    const scan = (chunk: Buffer) => {
      serverLog += chunk.toString();
      address = /^Api Address: (\S+)$/m.exec(serverLog)?.[1] ?? '';
      rootToken = /^Root Token: (\S+)$/m.exec(serverLog)?.[1] ?? '';
      if (address && rootToken) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', (c: Buffer) => (serverLog += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev server exited (${code}) before it was ready:\n${serverLog}`));
    });
  });
});

after(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
    const killer = setTimeout(() => server?.kill('SIGKILL'), 5_000);
    await serverExited;
    clearTimeout(killer);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('status: an unsealed dev server exits 0', async () => {
  const r = await cli(['status']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Initialized\s+true$/m);
  assert.match(r.stdout, /^Sealed\s+false$/m);
  const json = await cli(['status', '-format=json']);
  assert.equal(JSON.parse(json.stdout).sealed, false);
});

test('kv: put, versions, get, list, metadata, delete, undelete, destroy', async () => {
  const put1 = await cli(['kv', 'put', 'secret/e2e/app', 'pw=first', 'user=app']);
  assert.equal(put1.code, 0, put1.stderr);
  assert.match(put1.stdout, /^secret\/data\/e2e\/app$/m);
  assert.match(put1.stdout, /^version\s+1$/m);
  assert.match((await cli(['kv', 'put', 'secret/e2e/app', 'pw=second'])).stdout, /^version\s+2$/m);

  const get = await cli(['kv', 'get', 'secret/e2e/app']);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^=== Data ===\nKey\s+Value\n---\s+-----\npw\s+second$/m);
  assert.deepEqual(await cli(['kv', 'get', '-version=1', '-field=pw', 'secret/e2e/app']), { code: 0, stdout: 'first', stderr: '' });
  const asJson = JSON.parse((await cli(['kv', 'get', '-format=json', '-mount=secret', 'e2e/app'])).stdout);
  assert.deepEqual(asJson.data.data, { pw: 'second' });

  const cas = await cli(['kv', 'put', '-cas=1', 'secret/e2e/app', 'pw=third']);
  assert.equal(cas.code, 2);
  assert.match(cas.stderr, /^Error writing data to secret\/data\/e2e\/app: ./);

  assert.deepEqual(await cli(['kv', 'list', 'secret/e2e']), { code: 0, stdout: 'Keys\n----\napp\n', stderr: '' });
  assert.match((await cli(['kv', 'metadata', 'get', 'secret/e2e/app'])).stdout, /^current_version\s+2$/m);

  assert.equal((await cli(['kv', 'delete', 'secret/e2e/app'])).stdout, 'Success! Data deleted (if it existed) at: secret/data/e2e/app\n');
  const deleted = await cli(['kv', 'get', 'secret/e2e/app']);
  assert.doesNotMatch(deleted.stdout, /=== Data ===/);
  assert.equal((await cli(['kv', 'undelete', '-versions=2', 'secret/e2e/app'])).stdout, 'Success! Data written to: secret/undelete/e2e/app\n');
  assert.equal((await cli(['kv', 'get', '-field=pw', 'secret/e2e/app'])).stdout, 'second');
  assert.equal((await cli(['kv', 'destroy', '-versions=1', 'secret/e2e/app'])).stdout, 'Success! Data written to: secret/destroy/e2e/app\n');
  assert.match((await cli(['kv', 'get', '-version=1', 'secret/e2e/app'])).stdout, /^destroyed\s+true$/m);

  assert.equal((await cli(['kv', 'metadata', 'put', '-max-versions=3', '-custom-metadata=owner=e2e', 'secret/e2e/app'])).stdout,
    'Success! Data written to: secret/metadata/e2e/app\n');
  const meta = await cli(['kv', 'metadata', 'get', 'secret/e2e/app']);
  assert.match(meta.stdout, /^max_versions\s+3$/m);
  assert.match(meta.stdout, /^custom_metadata\s+map\[owner:e2e\]$/m);
  assert.equal((await cli(['kv', 'metadata', 'delete', 'secret/e2e/app'])).stdout, 'Success! Data deleted (if it existed) at: secret/metadata/e2e/app\n');
  assert.deepEqual(await cli(['kv', 'get', 'secret/e2e/app']), { code: 2, stdout: '', stderr: 'No value found at secret/data/e2e/app\n' });
});

test('kv patch (HTTP PATCH and -method=rw) and kv rollback', async () => {
  assert.equal((await cli(['kv', 'put', 'secret/e2e/patched', 'a=1', 'b=2'])).code, 0);
  const patched = await cli(['kv', 'patch', 'secret/e2e/patched', 'b=3', 'c=4']);
  assert.equal(patched.code, 0, patched.stderr);
  assert.match(patched.stdout, /^secret\/data\/e2e\/patched$/m);
  assert.match(patched.stdout, /^version\s+2$/m);
  const rw = await cli(['kv', 'patch', '-method=rw', 'secret/e2e/patched', 'd=5']);
  assert.match(rw.stdout, /^version\s+3$/m);
  assert.deepEqual(JSON.parse((await cli(['kv', 'get', '-format=json', 'secret/e2e/patched'])).stdout).data.data, { a: '1', b: '3', c: '4', d: '5' });

  const stale = await cli(['kv', 'patch', '-cas=1', 'secret/e2e/patched', 'e=6']);
  assert.deepEqual([stale.code, stale.stderr], [2, 'Error writing data to secret/data/e2e/patched: check-and-set parameter did not match the current version\n']);
  assert.deepEqual(await cli(['kv', 'patch', 'secret/e2e/nothing-here', 'a=1']), { code: 2, stdout: '', stderr: 'No value found at secret/data/e2e/nothing-here\n' });
  assert.deepEqual(await cli(['kv', 'patch', 'secret/e2e/patched']), { code: 1, stdout: '', stderr: 'Must supply data\n' });

  const rolled = await cli(['kv', 'rollback', '-version=1', 'secret/e2e/patched']);
  assert.equal(rolled.code, 0, rolled.stderr);
  assert.match(rolled.stdout, /^version\s+4$/m);
  assert.deepEqual(JSON.parse((await cli(['kv', 'get', '-format=json', 'secret/e2e/patched'])).stdout).data.data, { a: '1', b: '2' });
  assert.deepEqual(await cli(['kv', 'rollback', 'secret/e2e/patched']), { code: 1, stdout: '', stderr: 'Must specify a version to roll back to with -version\n' });
  const gone = await cli(['kv', 'rollback', '-version=9', 'secret/e2e/patched']);
  assert.equal(gone.code, 2);
});

test('apm authorize, then dev-enclave login does the attestation handshake and its token reads the secret', async () => {
  const pcr8 = 'ab'.repeat(48);
  const pcr0 = 'cd'.repeat(48);
  assert.equal((await cli(['kv', 'put', 'secret/e2e/enclave-db', 'password=for-enclaves'])).code, 0);
  const authorized = await cli(['apm', 'authorize', 'signer', '--platform', 'nitro', '--signer', pcr8, '--engine-path', 'secret', 'e2e/enclave-db']);
  assert.equal(authorized.code, 0, authorized.stderr);

  const caDir = join(dir, 'data', 'dev-ca');
  const login = await cli(['dev-enclave', 'login', '--dir', caDir, '--pcr0', pcr0, '--pcr8', pcr8, '-format=json'], { env: { SEALTRAIL_TOKEN: '' } });
  assert.equal(login.code, 0, login.stderr);
  const answer = JSON.parse(login.stdout);
  assert.match(answer.auth.client_token, /^hvs\./);
  assert.deepEqual([answer.data.signer_id, answer.data.enclave_id], [pcr8, pcr0]);
  assert.match(answer.data.correlation_id, /^[0-9a-f-]{36}$/);
  assert.equal(answer.data.entity_id, answer.auth.entity_id, 'the entity a journal timeline takes');
  assert.match(answer.data.entity_id, /^[0-9a-f-]{36}$/);
  const read = await cli(['kv', 'get', '-field=password', 'secret/e2e/enclave-db'], { env: { SEALTRAIL_TOKEN: answer.auth.client_token } });
  assert.deepEqual(read, { code: 0, stdout: 'for-enclaves', stderr: '' });

  const table = await cli(['dev-enclave', 'login', '--dir', caDir, '--pcr0', pcr0, '--pcr8', pcr8], { env: { SEALTRAIL_TOKEN: '' } });
  assert.match(table.stdout, /^token\s+hvs\.\S+$/m);
  assert.match(table.stdout, /^entity_id\s+[0-9a-f-]{36}$/m);
  const stranger = await cli(['dev-enclave', 'login', '--dir', caDir, '--pcr0', pcr0, '--pcr8', 'ee'.repeat(48)], { env: { SEALTRAIL_TOKEN: '' } });
  assert.deepEqual([stranger.code, stranger.stderr], [2, 'Error logging in: attestation refused: no role authorizes this enclave\n']);
  // No PCR0 means all zeros: a debug-mode enclave, which the role does not allow. The caller is
  // told no more than a stranger is (the audit entry says why).
  const debug = await cli(['dev-enclave', 'login', '--dir', caDir, '--pcr8', pcr8], { env: { SEALTRAIL_TOKEN: '' } });
  assert.deepEqual([debug.code, debug.stderr], [2, 'Error logging in: attestation refused: no role authorizes this enclave\n']);
});

test('unwrap: a wrapping token named on the command line, or given as the current token', async () => {
  assert.equal((await cli(['kv', 'put', 'secret/e2e/wrapped', 'pw=wrapped-e2e'])).code, 0);
  const wrapToken = async () => {
    const res = await fetch(`${address}/v1/secret/data/e2e/wrapped`, { headers: { 'x-vault-token': rootToken, 'x-vault-wrap-ttl': '5m' } });
    return ((await res.json()) as { wrap_info: { token: string } }).wrap_info.token;
  };
  const first = await wrapToken();
  const named = await cli(['unwrap', '-format=json', first]);
  assert.equal(named.code, 0, named.stderr);
  assert.deepEqual(JSON.parse(named.stdout).data.data, { pw: 'wrapped-e2e' });
  assert.deepEqual(await cli(['unwrap', first]), { code: 2, stdout: '', stderr: 'Error unwrapping: wrapping token is not valid or does not exist\n' });
  const asCurrent = await cli(['unwrap', '-field=data'], { env: { SEALTRAIL_TOKEN: await wrapToken() } });
  assert.equal(asCurrent.code, 0, asCurrent.stderr);
  assert.match(asCurrent.stdout, /pw:wrapped-e2e/);
});

const POLICY = 'path "secret/data/e2e-ro/*" {\n  capabilities = ["read"]\n}\n';

test('policy: write from stdin, read, list', async () => {
  assert.deepEqual(await cli(['policy', 'write', 'e2e-read', '-'], { stdin: POLICY }), { code: 0, stdout: 'Success! Uploaded policy: e2e-read\n', stderr: '' });
  const read = await cli(['policy', 'read', 'e2e-read']);
  assert.equal(read.code, 0, read.stderr);
  assert.match(read.stdout, /path "secret\/data\/e2e-ro\/\*"/);
  const names = (await cli(['policy', 'list'])).stdout.trim().split('\n');
  for (const name of ['default', 'e2e-read', 'root']) assert.ok(names.includes(name), `${name} in ${names.join(',')}`);
});

test('token: create, lookup, a restricted token is denied, revoke', async () => {
  const created = await cli(['token', 'create', '-policy=e2e-read', '-ttl=1h', '-display-name=e2e', '-format=json']);
  assert.equal(created.code, 0, created.stderr);
  const { client_token: child, accessor } = JSON.parse(created.stdout).auth as { client_token: string; accessor: string };
  assert.ok(child && accessor);
  assert.equal((await cli(['token', 'create', '-policy=e2e-read', '-field=token'])).stdout.length > 0, true);

  const lookup = await cli(['token', 'lookup', child]);
  assert.equal(lookup.code, 0, lookup.stderr);
  assert.match(lookup.stdout, new RegExp(`^accessor\\s+${accessor}$`, 'm'));
  assert.match(lookup.stdout, /^policies\s+\[.*e2e-read.*\]$/m);
  assert.ok(!lookup.stdout.includes(child), 'lookup output does not show the token');
  assert.match((await cli(['token', 'lookup', '-accessor', accessor])).stdout, /^display_name\s+\S*e2e$/m);

  await cli(['kv', 'put', 'secret/e2e-ro/x', 'v=1']);
  const allowed = await cli(['kv', 'get', '-field=v', 'secret/e2e-ro/x'], { env: { SEALTRAIL_TOKEN: child } });
  assert.deepEqual([allowed.code, allowed.stdout], [0, '1']);
  const denied = await cli(['kv', 'put', 'secret/e2e-ro/x', 'v=2'], { env: { SEALTRAIL_TOKEN: child } });
  assert.equal(denied.code, 2);
  assert.match(denied.stderr, /^Error writing data to secret\/data\/e2e-ro\/x: .*permission denied/);
  assert.ok(!denied.stderr.includes(child));

  assert.deepEqual(await cli(['token', 'revoke', child]), { code: 0, stdout: 'Success! Revoked token (if it existed)\n', stderr: '' });
  const gone = await cli(['token', 'lookup', child]);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /^Error looking up token: /);
});

test('secrets: enable kv-v2 at a path with audit keys, list, use it', async () => {
  const enabled = await cli(['secrets', 'enable', '-path=e2e-kv', '-audit-non-hmac-request-keys=public', 'kv-v2']);
  assert.deepEqual(enabled, { code: 0, stdout: 'Success! Enabled the kv-v2 secrets engine at: e2e-kv/\n', stderr: '' });
  assert.match((await cli(['secrets', 'list'])).stdout, /^e2e-kv\/\s+kv\s+\S+/m);
  const mounts = JSON.parse((await cli(['secrets', 'list', '-format=json'])).stdout) as Record<string, { config: { audit_non_hmac_request_keys?: string[] } }>;
  assert.deepEqual(mounts['e2e-kv/'].config.audit_non_hmac_request_keys, ['public']);
  assert.equal((await cli(['kv', 'put', 'e2e-kv/a', 'public=yes'])).code, 0);
  assert.equal((await cli(['kv', 'get', '-field=public', 'e2e-kv/a'])).stdout, 'yes');
});

test('audit: enable file with key=value options, list, the log fills, disable', async () => {
  const logPath = join(dir, 'e2e-audit.log');
  const enabled = await cli(['audit', 'enable', '-path=e2e-file', 'file', `file_path=${logPath}`]);
  assert.deepEqual(enabled, { code: 0, stdout: 'Success! Enabled the file audit device at: e2e-file/\n', stderr: '' });
  assert.match((await cli(['audit', 'list'])).stdout, /^e2e-file\/\s+file\s+/m);
  assert.match((await cli(['audit', 'list', '-detailed'])).stdout, new RegExp(`^e2e-file/\\s+file\\s+.*file_path=${logPath.replace(/[/.]/g, '\\$&')}`, 'm'));
  await cli(['kv', 'get', 'secret/e2e-ro/x']);
  assert.ok(existsSync(logPath));
  const lines = (await readFile(logPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; request?: { path?: string } });
  assert.ok(lines.some((l) => l.type === 'response' && l.request?.path === 'secret/data/e2e-ro/x'));
  assert.equal((await cli(['audit', 'disable', 'e2e-file'])).stdout, 'Success! Disabled audit device (if it was enabled) at: e2e-file/\n');
  assert.doesNotMatch((await cli(['audit', 'list'])).stdout, /e2e-file/);
});

test('login stores the token; later commands use it without an env token', async () => {
  const login = await cli(['login', rootToken], { env: { SEALTRAIL_TOKEN: '' } });
  assert.equal(login.code, 0, login.stderr);
  assert.ok(!login.stdout.includes(rootToken) && !login.stderr.includes(rootToken));
  assert.equal((await readFile(join(home, '.sealtrail-token'), 'utf8')), rootToken);
  const lookup = await cli(['token', 'lookup'], { env: { SEALTRAIL_TOKEN: '' } });
  assert.equal(lookup.code, 0, lookup.stderr);
  assert.match(lookup.stdout, /^policies\s+\[root\]$/m);
});

test('bad input: unknown command 127, usage errors 1, remote errors 2', async () => {
  assert.deepEqual(await cli(['frobnicate']), { code: 127, stdout: '', stderr: "error: unknown command 'frobnicate'\n" });
  assert.deepEqual(await cli(['kv', 'get']), { code: 1, stdout: '', stderr: "error: missing required argument 'path'\n" });
  assert.deepEqual(await cli(['write', 'secret/data/x']), { code: 1, stdout: '', stderr: 'Must supply data or use -force\n' });
  const unknownPath = await cli(['read', 'nosuchmount/x']);
  assert.equal(unknownPath.code, 2);
  assert.match(unknownPath.stderr, /^Error reading nosuchmount\/x: ./);
});
