/**
 * Acceptance: hvac, the Python Vault client (/usr/bin/python3), drives the real server on port 0
 * through the methods a platform engineer uses. Each call's result (or the hvac exception it
 * raised, with the `errors` it parsed) comes back as JSON and is held to what Vault answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startDevServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';

let server: TestServer;

before(async () => {
  server = await startDevServer();
});
after(async () => server?.stop());

const PRELUDE = `
import hvac, json, os, sys
c = hvac.Client(url=os.environ['ADDR'], token=os.environ['TOKEN'])
out = {}
def step(name, f):
    try:
        r = f()
        out[name] = {'status': r.status_code} if hasattr(r, 'status_code') else r
    except hvac.exceptions.VaultError as e:
        out[name] = {'exc': type(e).__name__, 'errors': e.errors}
`;

/** Runs `script` (after PRELUDE) with hvac against the server; returns what it put in `out`. */
function hvac(script: string): Promise<Record<string, any>> {
  const code = `${PRELUDE}\n${script}\nprint(json.dumps(out))\n`;
  const env = { ...process.env, ADDR: server.address, TOKEN: server.rootToken, PYTHONWARNINGS: 'ignore' };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', code], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`python: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

test('sys: health, seal status, leader, mounts with tune, audit devices and hashes, auth methods', async () => {
  const out = await hvac(`
step('authenticated', lambda: c.is_authenticated())
step('anonymous', lambda: hvac.Client(url=os.environ['ADDR'], token='hvs.nope').is_authenticated())
step('health', lambda: c.sys.read_health_status(method='GET'))
step('health_299', lambda: c.sys.read_health_status(method='GET', standby_ok=True, active_code=299))
step('seal', lambda: c.sys.read_seal_status())
step('leader', lambda: c.sys.read_leader_status())
step('enable', lambda: c.sys.enable_secrets_engine('kv', path='team', options={'version': '2'}, config={'default_lease_ttl': '1h', 'max_lease_ttl': '2h'}))
step('enable_again', lambda: c.sys.enable_secrets_engine('kv', path='team', options={'version': '2'}))
step('mounts', lambda: c.sys.list_mounted_secrets_engines()['data']['team/'])
step('tune', lambda: c.sys.tune_mount_configuration('team', default_lease_ttl='30m', audit_non_hmac_request_keys=['a']))
step('tuned', lambda: c.sys.read_mount_configuration('team')['data'])
step('tune_over_max', lambda: c.sys.tune_mount_configuration('team', default_lease_ttl='10h'))
step('tune_missing', lambda: c.sys.read_mount_configuration('nowhere'))
step('disable', lambda: c.sys.disable_secrets_engine('team'))
step('audit', lambda: sorted(c.sys.list_enabled_audit_devices()['data']))
step('hash', lambda: c.sys.calculate_hash('file', 'foo')['data']['hash'])
step('hash_missing', lambda: c.sys.calculate_hash('nowhere', 'foo'))
step('auth', lambda: sorted(c.sys.list_auth_methods()['data']))
`);
  assert.equal(out.authenticated, true);
  assert.equal(out.anonymous, false);
  assert.deepEqual([out.health.initialized, out.health.sealed, out.health.standby], [true, false, false]);
  assert.deepEqual(out.health_299, { status: 299 });
  assert.deepEqual([out.seal.type, out.seal.sealed, out.seal.t, out.seal.n], ['shamir', false, 1, 1]);
  assert.deepEqual([out.leader.ha_enabled, out.leader.is_self], [false, false]);
  assert.deepEqual(out.enable, { status: 204 });
  assert.deepEqual(out.enable_again, { exc: 'InvalidRequest', errors: ['path is already in use at team/'] });
  assert.deepEqual([out.mounts.type, out.mounts.options, out.mounts.config.default_lease_ttl], ['kv', { version: '2' }, 3600]);
  assert.deepEqual(out.tune, { status: 204 });
  assert.deepEqual([out.tuned.default_lease_ttl, out.tuned.max_lease_ttl, out.tuned.audit_non_hmac_request_keys], [1800, 7200, ['a']]);
  assert.equal(out.tune_over_max.exc, 'InvalidRequest');
  assert.equal(out.tune_missing.exc, 'InvalidRequest');
  assert.deepEqual(out.disable, { status: 204 });
  assert.deepEqual(out.audit, ['file/', 'journal/']);
  assert.match(out.hash, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.equal(out.hash_missing.exc, 'InvalidRequest');
  assert.deepEqual(out.auth, ['apm/', 'token/']);
});

test('policies, tokens and capabilities, and the 403 of a token outside its policy', async () => {
  const out = await hvac(`
P = 'path "secret/data/team/*" {\\n  capabilities = ["read", "list"]\\n}\\n'
step('put', lambda: c.sys.create_or_update_policy('team-read', P))
step('read', lambda: c.sys.read_policy('team-read')['data'])
step('read_missing', lambda: c.sys.read_policy('nope'))
step('bad', lambda: c.sys.create_or_update_policy('bad', 'path "x" { capabilities = ["fly"] }'))
step('legacy_rules', lambda: c.adapter.put('/v1/sys/policy/legacy', json={'rules': P})['warnings'])
step('list', lambda: c.sys.list_policies()['data']['policies'])
t = c.auth.token.create(policies=['team-read'], ttl='1h', display_name='ci', meta={'team': 'a'})['auth']
out['created'] = t
u = hvac.Client(url=os.environ['ADDR'], token=t['client_token'])
step('lookup', lambda: c.auth.token.lookup(t['client_token'])['data'])
step('renew_self', lambda: u.auth.token.renew_self(increment='20m')['auth']['lease_duration'])
step('renewed', lambda: c.auth.token.lookup_accessor(t['accessor'])['data'])
step('lookup_missing', lambda: c.auth.token.lookup('hvs.nope'))
step('caps', lambda: u.sys.get_capabilities(['secret/data/team/a', 'secret/data/other'])['data'])
step('caps_accessor', lambda: c.sys.get_capabilities(['secret/data/team/a'], accessor=t['accessor'])['data'])
step('forbidden', lambda: u.secrets.kv.v2.read_secret_version('other/x'))
step('forbidden_sys', lambda: u.sys.list_mounted_secrets_engines())
step('revoke_accessor', lambda: c.auth.token.revoke_accessor(t['accessor']))
step('revoked', lambda: u.auth.token.lookup_self())
step('delete', lambda: c.sys.delete_policy('team-read'))
`);
  assert.deepEqual(out.put, { status: 204 });
  assert.match(out.read.rules, /secret\/data\/team/);
  assert.deepEqual(out.read_missing, { exc: 'InvalidPath', errors: [] });
  assert.deepEqual(out.bad, { exc: 'InvalidRequest', errors: ['failed to parse policy: path "x": invalid capability "fly"'] });
  assert.deepEqual(out.legacy_rules, ["'rules' is deprecated, please use 'policy' instead"]);
  assert.ok(out.list.includes('team-read') && out.list.includes('legacy'));

  assert.deepEqual([out.created.policies, out.created.metadata, out.created.lease_duration, out.created.token_type], [['default', 'team-read'], { team: 'a' }, 3600, 'service']);
  assert.deepEqual([out.lookup.display_name, out.lookup.meta, out.lookup.policies, out.lookup.last_renewal_time], ['token-ci', { team: 'a' }, ['default', 'team-read'], undefined]);
  assert.equal(out.renew_self, 1200);
  assert.equal(out.renewed.id, '');
  assert.equal(typeof out.renewed.last_renewal_time, 'number');
  assert.equal(Date.parse(out.renewed.last_renewal) / 1000 | 0, out.renewed.last_renewal_time);
  assert.deepEqual(out.lookup_missing, { exc: 'Forbidden', errors: ['bad token'] });
  assert.deepEqual(out.caps, { 'secret/data/team/a': ['list', 'read'], 'secret/data/other': ['deny'] });
  assert.deepEqual(out.caps_accessor, { 'secret/data/team/a': ['list', 'read'], capabilities: ['list', 'read'] });
  assert.deepEqual(out.forbidden, { exc: 'Forbidden', errors: ['permission denied'] });
  assert.deepEqual(out.forbidden_sys, { exc: 'Forbidden', errors: ['permission denied'] });
  assert.deepEqual(out.revoke_accessor, { status: 204 });
  assert.deepEqual(out.revoked, { exc: 'Forbidden', errors: ['permission denied'] });
  assert.deepEqual(out.delete, { status: 204 });
});

test('KV v2: every hvac method, with Vault\'s 404 for deleted versions and its refusals', async () => {
  const out = await hvac(`
kv = c.secrets.kv.v2
step('configure', lambda: kv.configure(max_versions=5))
step('config', lambda: kv.read_configuration()['data'])
step('v1', lambda: kv.create_or_update_secret('app/db', secret={'user': 'u', 'pw': 'p1'})['data']['version'])
step('v2', lambda: kv.create_or_update_secret('app/db', secret={'pw': 'p2'}, cas=1)['data']['version'])
step('cas', lambda: kv.create_or_update_secret('app/db', secret={'pw': 'x'}, cas=1))
step('patch', lambda: kv.patch('app/db', {'extra': 'e'})['data']['version'])
step('latest', lambda: kv.read_secret_version('app/db')['data'])
step('first', lambda: kv.read_secret_version('app/db', version=1)['data']['data'])
step('missing', lambda: kv.read_secret_version('app/none'))
step('list', lambda: kv.list_secrets('app')['data']['keys'])
step('list_missing', lambda: kv.list_secrets('none'))
step('meta_update', lambda: kv.update_metadata('app/db', max_versions=3, cas_required=False))
step('delete_latest', lambda: kv.delete_latest_version_of_secret('app/db'))
step('deleted', lambda: kv.read_secret_version('app/db'))
step('undelete', lambda: kv.undelete_secret_versions('app/db', [3]))
step('destroy', lambda: kv.destroy_secret_versions('app/db', [1]))
step('delete', lambda: kv.delete_secret_versions('app/db', [2]))
step('meta', lambda: kv.read_secret_metadata('app/db')['data'])
step('kv1_path', lambda: c.secrets.kv.v1.read_secret('app/db'))
step('delete_all', lambda: kv.delete_metadata_and_all_versions('app/db'))
step('gone', lambda: kv.read_secret_metadata('app/db'))
`);
  assert.deepEqual(out.configure, { status: 204 });
  assert.deepEqual(out.config, { cas_required: false, delete_version_after: '0s', max_versions: 5 });
  assert.deepEqual([out.v1, out.v2, out.patch], [1, 2, 3]);
  assert.deepEqual(out.cas, { exc: 'InvalidRequest', errors: ['check-and-set parameter did not match the current version'] });
  assert.deepEqual(out.latest.data, { pw: 'p2', extra: 'e' });
  assert.deepEqual([out.latest.metadata.version, out.latest.metadata.destroyed, out.latest.metadata.deletion_time], [3, false, '']);
  assert.deepEqual(out.first, { user: 'u', pw: 'p1' });
  assert.deepEqual(out.missing, { exc: 'InvalidPath', errors: [] });
  assert.deepEqual(out.list, ['db']);
  assert.deepEqual(out.list_missing, { exc: 'InvalidPath', errors: [] });
  assert.deepEqual(out.meta_update, { status: 204 });
  assert.deepEqual(out.delete_latest, { status: 204 });
  // Vault's 404 for a deleted version carries its metadata; hvac raises InvalidPath.
  assert.equal(out.deleted.exc, 'InvalidPath');
  assert.deepEqual([out.undelete, out.destroy, out.delete], [{ status: 204 }, { status: 204 }, { status: 204 }]);
  assert.deepEqual([out.meta.current_version, out.meta.max_versions], [3, 3]);
  assert.equal(out.meta.versions['1'].destroyed, true);
  assert.notEqual(out.meta.versions['2'].deletion_time, '');
  assert.equal(out.meta.versions['3'].deletion_time, '');
  assert.equal(out.kv1_path.exc, 'InvalidPath');
  assert.deepEqual(out.delete_all, { status: 204 });
  assert.deepEqual(out.gone, { exc: 'InvalidPath', errors: [] });
});

test('response wrapping: wrap, lookup, rewrap, unwrap once', async () => {
  const out = await hvac(`
a = c.adapter
w = a.post('/v1/sys/wrapping/wrap', json={'secret': 's3cr3t'}, headers={'X-Vault-Wrap-TTL': '120'})['wrap_info']
out['wrap'] = {k: w[k] for k in ('ttl', 'creation_path')}
step('lookup', lambda: a.post('/v1/sys/wrapping/lookup', json={'token': w['token']})['data'])
r = a.post('/v1/sys/wrapping/rewrap', json={'token': w['token']})['wrap_info']
step('old', lambda: c.sys.unwrap(w['token']))
step('unwrap', lambda: c.sys.unwrap(r['token'])['data'])
step('again', lambda: c.sys.unwrap(r['token']))
t = c.auth.token.create(policies=['default'], wrap_ttl='60s')['wrap_info']
step('token', lambda: sorted(c.sys.unwrap(t['token'])['auth']))
`);
  assert.deepEqual(out.wrap, { ttl: 120, creation_path: 'sys/wrapping/wrap' });
  assert.deepEqual([out.lookup.creation_ttl, out.lookup.creation_path], [120, 'sys/wrapping/wrap']);
  assert.deepEqual(out.old, { exc: 'InvalidRequest', errors: ['wrapping token is not valid or does not exist'] });
  assert.deepEqual(out.unwrap, { secret: 's3cr3t' });
  assert.deepEqual(out.again, out.old);
  assert.ok(out.token.includes('client_token') && out.token.includes('accessor'));
});
