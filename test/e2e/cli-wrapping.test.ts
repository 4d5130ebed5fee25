/**
 * Response wrapping from the CLI against the real server, as with the vault CLI: `-wrap-ttl` (or
 * VAULT_WRAP_TTL / SEALTRAIL_WRAP_TTL) on `kv get`, `read` and `token create` answers a wrapping
 * token instead of the secret, and `sealtrail unwrap <token>` gives the original answer once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runIn, type CliRun } from '../cli/harness.js';
import { startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const SECRET = 'wrapped-by-cli-7c2d';

before(async () => {
  server = await startDevServer();
  assert.equal((await cli(['kv', 'put', 'secret/app/db', `pw=${SECRET}`])).code, 0);
});
after(async () => { await server?.stop(); });

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runIn(args, { env: { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken, ...env } });
}

/** `unwrap -format=json <token>`'s answer; a second unwrap of the same token is refused. */
async function unwrapOnce(token: string): Promise<{ data: unknown; auth: { client_token: string; accessor: string } | null }> {
  const first = await cli(['unwrap', '-format=json', token]);
  assert.equal(first.code, 0, first.stderr);
  const again = await cli(['unwrap', token]);
  assert.deepEqual(again, { code: 2, stdout: '', stderr: 'Error unwrapping: wrapping token is not valid or does not exist\n' });
  return JSON.parse(first.stdout);
}

test('kv get -wrap-ttl prints the wrapping token\'s table, not the secret; unwrap gives the secret once', async () => {
  const r = await cli(['kv', 'get', '-wrap-ttl=5m', 'secret/app/db']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(SECRET));
  const rows = Object.fromEntries(r.stdout.trim().split('\n').slice(2).map((line) => line.split(/ {4,}/)));
  assert.deepEqual(Object.keys(rows), ['wrapping_token', 'wrapping_accessor', 'wrapping_token_ttl', 'wrapping_token_creation_time', 'wrapping_token_creation_path']);
  assert.deepEqual([rows.wrapping_token_ttl, rows.wrapping_token_creation_path], ['5m', 'secret/data/app/db']);
  assert.match(rows.wrapping_token_creation_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
  const unwrapped = await unwrapOnce(rows.wrapping_token);
  assert.deepEqual((unwrapped.data as { data: unknown }).data, { pw: SECRET });
});

test('read -wrap-ttl -format=json answers the envelope with its wrap_info; -field=wrapping_token the token alone', async () => {
  const r = await cli(['read', '-format=json', '-wrap-ttl=90s', 'secret/data/app/db']);
  assert.equal(r.code, 0, r.stderr);
  const answer = JSON.parse(r.stdout);
  assert.equal(answer.data, null);
  assert.deepEqual([answer.wrap_info.ttl, answer.wrap_info.creation_path], [90, 'secret/data/app/db']);
  assert.deepEqual(((await unwrapOnce(answer.wrap_info.token)).data as { data: unknown }).data, { pw: SECRET });

  const token = await cli(['read', '-field=wrapping_token', '-wrap-ttl=90s', 'secret/data/app/db']);
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^hvs\.\S+$/);
  assert.deepEqual(((await unwrapOnce(token.stdout)).data as { data: unknown }).data, { pw: SECRET });
});

test('token create -wrap-ttl: the wrap names the new token\'s accessor; unwrapped once, the token works', async () => {
  const r = await cli(['token', 'create', '-policy=default', '-wrap-ttl=5m', '-format=json']);
  assert.equal(r.code, 0, r.stderr);
  const { auth, wrap_info: wrap } = JSON.parse(r.stdout);
  assert.equal(auth, null);
  assert.equal(wrap.creation_path, 'auth/token/create');
  const unwrapped = await unwrapOnce(wrap.token);
  assert.equal(unwrapped.auth?.accessor, wrap.wrapped_accessor);
  const lookup = await cli(['token', 'lookup', '-format=json'], { SEALTRAIL_TOKEN: unwrapped.auth!.client_token });
  assert.equal(lookup.code, 0, lookup.stderr);
  assert.deepEqual(JSON.parse(lookup.stdout).data.policies, ['default']);
});

test('VAULT_WRAP_TTL wraps as the flag does, SEALTRAIL_WRAP_TTL first; a bad duration is a usage error', async () => {
  const viaVault = await cli(['kv', 'get', '-field=wrapping_token', 'secret/app/db'], { VAULT_WRAP_TTL: '2m' });
  assert.equal(viaVault.code, 0, viaVault.stderr);
  assert.deepEqual(((await unwrapOnce(viaVault.stdout)).data as { data: unknown }).data, { pw: SECRET });
  const both = await cli(['kv', 'get', '-format=json', 'secret/app/db'], { VAULT_WRAP_TTL: '2m', SEALTRAIL_WRAP_TTL: '3m' });
  const info = JSON.parse(both.stdout).wrap_info;
  assert.equal(info.ttl, 180);
  await unwrapOnce(info.token);

  assert.deepEqual(await cli(['kv', 'get', '-wrap-ttl=5 minutes', 'secret/app/db']), {
    code: 1, stdout: '', stderr: 'invalid value "5 minutes" for flag -wrap-ttl: expected a duration such as 30s, 5m or 1h, or a number of seconds\n',
  });
  assert.equal((await cli(['read', 'secret/data/app/db'], { SEALTRAIL_WRAP_TTL: 'later' })).code, 1);
  // Beyond the server's bounds (1s to 31 days) the server says so.
  const long = await cli(['read', '-wrap-ttl=32d', 'secret/data/app/db']);
  assert.deepEqual([long.code, long.stderr], [2, 'Error reading secret/data/app/db: X-Vault-Wrap-TTL must be a duration from 1s to 2678400s\n']);
});
