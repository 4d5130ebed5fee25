import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mounts, backendFromPaths, type LogicalResponse, type MountEntry, type Operation } from '../../src/core/index.js';
import { createPolicyStore } from '../../src/auth/policy/store.js';
import { DEFAULT_POLICY_TEXT, ensureDefaultPolicy } from '../../src/auth/policy/default-policy.js';
import { createTokenStore } from '../../src/auth/token/store.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { policyPaths } from '../../src/sys/policies.js';

const mount = { table: 'secret', path: 'sys/', type: 'system' } as MountEntry;

async function setup() {
  const policies = createPolicyStore({ storage: createMemoryStorage() });
  const tokens = createTokenStore({ storage: createMemoryStorage(), clock: manualClock(0), hashKey: new Uint8Array(32) });
  assert.equal(await ensureDefaultPolicy(policies), true);
  assert.equal(await ensureDefaultPolicy(policies), false);
  const sys = backendFromPaths(policyPaths({ policies, tokens, mounts: () => new Mounts({ storage: createMemoryStorage(), clock: manualClock(0), secretEngines: {}, authMethods: {}, revokeLogins: async () => {} }) }));
  const root = await tokens.create({ policies: ['root'], path: 'auth/token/root', id: 'root-token' });
  async function call(caller: string, operation: Operation, path: string, data: Record<string, unknown> = {}): Promise<LogicalResponse | undefined> {
    const token = await tokens.lookup(caller);
    const logical = { id: 'r', operation, path: `sys/${path}`, data, clientToken: caller, remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 };
    return sys.handleRequest({ logical, operation, path, data, mount, token });
  }
  return { policies, tokens, root, call };
}

const fails = (kind: string, code: string, message: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof SealtrailError, String(err));
  assert.deepEqual([err.kind, err.code], [kind, code]);
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  return true;
};

const DEV = 'path "secret/data/*" { capabilities = ["read", "list"] }\npath "secret/data/locked" { capabilities = ["deny"] }\n';

test('policy CRUD, modern and legacy shapes', async () => {
  const { call } = await setup();
  assert.equal(await call('root-token', 'update', 'policies/acl/Dev', { policy: DEV }), undefined);
  assert.deepEqual((await call('root-token', 'read', 'policies/acl/dev'))!.data, { name: 'dev', policy: DEV });
  assert.deepEqual((await call('root-token', 'read', 'policy/dev'))!.data, { name: 'dev', rules: DEV });
  // base64 is accepted, as Vault does.
  await call('root-token', 'update', 'policy/b64', { rules: Buffer.from(DEV).toString('base64') });
  assert.equal((await call('root-token', 'read', 'policies/acl/b64'))!.data!.policy, DEV);
  assert.deepEqual((await call('root-token', 'list', 'policies/acl'))!.data, { keys: ['b64', 'default', 'dev', 'root'] });
  assert.deepEqual((await call('root-token', 'read', 'policy'))!.data, {
    keys: ['b64', 'default', 'dev', 'root'], policies: ['b64', 'default', 'dev', 'root'],
  });
  assert.deepEqual((await call('root-token', 'read', 'policies/acl/default'))!.data, { name: 'default', policy: DEFAULT_POLICY_TEXT });
  assert.deepEqual((await call('root-token', 'read', 'policies/acl/root'))!.data, { name: 'root', policy: '' });

  assert.equal(await call('root-token', 'delete', 'policies/acl/b64'), undefined);
  await assert.rejects(call('root-token', 'read', 'policies/acl/b64'), fails('not_found', 'not_found', 'not found'));
  await assert.rejects(call('root-token', 'update', 'policies/acl/bad', { policy: 'path "x" { capabilities = ["fly"] }' }),
    fails('invalid', 'invalid_policy', 'failed to parse policy: path "x": invalid capability "fly"'));
  await assert.rejects(call('root-token', 'update', 'policies/acl/bad', { policy: 'path "x" {' }),
    fails('invalid', 'invalid_policy', /^failed to parse policy: policy\.hcl:1,/));
  await assert.rejects(call('root-token', 'read', 'policies/acl/bad'), fails('not_found', 'not_found', 'not found'));
  await assert.rejects(call('root-token', 'update', 'policies/acl/empty', {}),
    fails('invalid', 'invalid_policy', "'policy' parameter not supplied or empty"));
  await assert.rejects(call('root-token', 'update', 'policies/acl/root', { policy: DEV }),
    fails('invalid', 'root_policy_immutable', 'cannot update root policy'));
  await assert.rejects(call('root-token', 'delete', 'policies/acl/root'), fails('invalid', 'root_policy_immutable', 'cannot delete root policy'));
  await assert.rejects(call('root-token', 'delete', 'policy/default'),
    fails('invalid', 'default_policy_undeletable', 'cannot delete default policy'));
});

test('a legacy write with rules stores them and answers with Vault\'s deprecation warning', async () => {
  const { call } = await setup();
  const warned = await call('root-token', 'update', 'policy/dev', { rules: DEV });
  assert.deepEqual([warned?.data, warned?.warnings], [undefined, ["'rules' is deprecated, please use 'policy' instead"]]);
  assert.equal((await call('root-token', 'read', 'policy/dev'))!.data!.rules, DEV);
  assert.equal(await call('root-token', 'update', 'policy/dev', { policy: DEV, rules: 'ignored' }), undefined);
  await assert.rejects(call('root-token', 'update', 'policies/acl/dev', { rules: DEV }),
    fails('invalid', 'invalid_policy', "'policy' parameter not supplied or empty"));
});

test('capabilities-self, capabilities and capabilities-accessor', async () => {
  const { call, policies, tokens } = await setup();
  await policies.put('dev', DEV);
  const dev = await tokens.create({ policies: ['default', 'dev'], path: 'auth/token/create' });

  assert.deepEqual((await call(dev.id, 'update', 'capabilities-self', { path: 'secret/data/app' }))!.data, {
    'secret/data/app': ['list', 'read'], capabilities: ['list', 'read'],
  });
  assert.deepEqual((await call(dev.id, 'update', 'capabilities-self', { paths: ['secret/data/locked', 'sys/mounts', 'cubbyhole/x'] }))!.data, {
    'secret/data/locked': ['deny'], 'sys/mounts': ['deny'], 'cubbyhole/x': ['create', 'delete', 'list', 'read', 'update'],
  });
  assert.deepEqual((await call('root-token', 'update', 'capabilities', { token: dev.id, path: 'auth/token/lookup-self' }))!.data, {
    'auth/token/lookup-self': ['read'], capabilities: ['read'],
  });
  assert.deepEqual((await call('root-token', 'update', 'capabilities-accessor', { accessor: dev.entry.accessor, path: 'x' }))!.data, {
    x: ['deny'], capabilities: ['deny'],
  });
  assert.deepEqual((await call('root-token', 'update', 'capabilities-self', { path: 'sys/audit' }))!.data, {
    'sys/audit': ['root'], capabilities: ['root'],
  });
  await assert.rejects(call('root-token', 'update', 'capabilities', { token: 'hvs.x', path: 'a' }), fails('invalid', 'token_not_found', 'invalid token'));
  await assert.rejects(call('root-token', 'update', 'capabilities-accessor', { accessor: 'zz', path: 'a' }), fails('invalid', 'invalid_accessor', 'invalid accessor'));
  await assert.rejects(call(dev.id, 'update', 'capabilities-self', {}), fails('invalid', 'missing_path', 'paths must be supplied'));
  // At most 1,000 paths at once, on every capabilities endpoint.
  const paths = (n: number) => Array.from({ length: n }, (_, i) => `secret/data/app/${i}`);
  assert.equal(Object.keys((await call(dev.id, 'update', 'capabilities-self', { paths: paths(1000) }))!.data!).length, 1000);
  const tooMany = fails('invalid', 'invalid_field', '"paths" holds more than 1000 items');
  await assert.rejects(call(dev.id, 'update', 'capabilities-self', { paths: paths(1001) }), tooMany);
  await assert.rejects(call(dev.id, 'update', 'capabilities-self', { paths: paths(1001).join(',') }), tooMany);
  await assert.rejects(call('root-token', 'update', 'capabilities', { token: dev.id, paths: paths(1001) }), tooMany);
  await assert.rejects(call('root-token', 'update', 'capabilities-accessor', { accessor: dev.entry.accessor, paths: paths(1001) }), tooMany);
});

test('a policy is changed only by a token the ACL allows on the name it is stored under', async () => {
  const { call, policies, tokens } = await setup();
  await policies.put('admin', 'path "*" { capabilities = ["sudo", "read", "update"] }');
  await policies.put('polmgr', `
path "sys/policies/acl/*"     { capabilities = ["create", "read", "update", "delete"] }
path "sys/policy/*"           { capabilities = ["create", "read", "update", "delete"] }
path "sys/policies/acl/admin" { capabilities = ["deny"] }
path "sys/policy/admin"       { capabilities = ["deny"] }
`);
  const mgr = await tokens.create({ policies: ['polmgr'], path: 'auth/token/create' });
  const grab = { policy: 'path "*" { capabilities = ["sudo", "read", "update", "create", "delete", "list"] }' };
  // Stored lower-cased and trimmed: `Admin` and `admin ` are `admin`, which the ACL denies.
  for (const name of ['Admin', 'ADMIN', 'admin ', ' admin']) {
    await assert.rejects(call(mgr.id, 'update', `policies/acl/${name}`, grab), fails('permission', 'permission_denied', 'permission denied'));
    await assert.rejects(call(mgr.id, 'update', `policy/${name}`, grab), fails('permission', 'permission_denied', 'permission denied'));
    await assert.rejects(call(mgr.id, 'delete', `policies/acl/${name}`), fails('permission', 'permission_denied', 'permission denied'));
    await assert.rejects(call(mgr.id, 'read', `policies/acl/${name}`), fails('permission', 'permission_denied', 'permission denied'));
  }
  assert.equal((await policies.get('admin'))!.policy, 'path "*" { capabilities = ["sudo", "read", "update"] }');
  // A name the ACL allows is written under its stored name, however it is spelled.
  assert.equal(await call(mgr.id, 'update', 'policies/acl/Team-A', { policy: DEV }), undefined);
  assert.equal((await policies.get('team-a'))!.policy, DEV);
  assert.equal(await call('root-token', 'update', 'policies/acl/Admin', { policy: DEV }), undefined);
  assert.equal((await policies.get('admin'))!.policy, DEV);
});
