import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation } from '../../../src/core/index.js';
import { compileAcl, rootAcl } from '../../../src/auth/policy/acl.js';
import { parsePolicy } from '../../../src/auth/policy/parse.js';
import { createPolicyStore } from '../../../src/auth/policy/store.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

const APP = `
path "secret/*"            { capabilities = ["read", "list"] }
path "secret/admin"        { capabilities = ["create", "read", "update", "delete", "sudo"] }
path "secret/admin/*"      { capabilities = ["deny"] }
path "secret/shared/*"     { capabilities = ["read", "update"] }
path "kv/+/config"         { capabilities = ["read"] }
path "app/+/db"            { capabilities = ["delete"] }
path "app/prod/*"          { capabilities = ["read"] }
path "ns/+/x"              { capabilities = ["update"] }
path "ns/+/x*"             { capabilities = ["list"] }
path "m/+/+/z"             { capabilities = ["read"] }
path "m/+/y/z"             { capabilities = ["create"] }
path "q/+/a*"              { capabilities = ["read"] }
path "q/+/ab*"             { capabilities = ["update"] }
path "lst/dir"             { capabilities = ["list"] }
path "/leading/slash"      { capabilities = ["read"] }
`;
// A second policy: merged with the first; its deny on the same pattern replaces the grants.
const LOCKDOWN = `
path "secret/shared/*" { capabilities = ["deny"] }
path "secret/*"        { capabilities = ["create"] }
`;

test('ACL decisions follow Vault priority matching (golden table)', async () => {
  const acl = compileAcl([await parsePolicy(APP), await parsePolicy(LOCKDOWN)]);
  const table: Array<[string, Operation, boolean, boolean, string[]]> = [
    // path, operation, allowed, sudo, capabilities
    ['secret/foo', 'read', true, false, ['create', 'list', 'read']],   // glob, merged across policies
    ['secret/foo', 'update', false, false, ['create', 'list', 'read']],
    ['secret/foo', 'create', true, false, ['create', 'list', 'read']],
    ['secret/admin', 'delete', true, true, ['create', 'delete', 'read', 'sudo', 'update']], // exact over glob
    ['secret/admin', 'list', false, true, ['create', 'delete', 'read', 'sudo', 'update']],
    ['secret/admin/x', 'read', false, false, ['deny']],                 // longer glob with deny
    ['secret/shared/doc', 'read', false, false, ['deny']],              // deny merged on same pattern wins
    ['kv/team/config', 'read', true, false, ['read']],                  // + matches one segment
    ['kv/a/b/config', 'read', false, false, ['deny']],                  // ... and only one
    ['kv/config', 'read', false, false, ['deny']],
    ['app/prod/db', 'read', true, false, ['read']],                     // first wildcard later wins
    ['app/prod/db', 'delete', false, false, ['read']],
    ['app/dev/db', 'delete', true, false, ['delete']],
    ['ns/a/x', 'update', true, false, ['update']],                      // not-a-prefix wins
    ['ns/a/xy', 'list', true, false, ['list']],
    ['m/a/y/z', 'create', true, false, ['create']],                     // fewer + wins
    ['m/a/w/z', 'read', true, false, ['read']],
    ['q/x/abc', 'update', true, false, ['update']],                     // longer pattern wins
    ['q/x/acc', 'read', true, false, ['read']],
    ['lst/dir/', 'list', true, false, ['list']],                        // list drops the trailing slash
    ['leading/slash', 'read', true, false, ['read']],
    ['/secret/foo', 'read', true, false, ['create', 'list', 'read']],
    ['other/path', 'read', false, false, ['deny']],                     // nothing matches
    ['other/path', 'help', true, false, ['deny']],                      // help is always allowed
  ];
  for (const [path, op, allowed, sudo, caps] of table) {
    // Unnamed policies: nothing to report as granting.
    assert.deepEqual(acl.check(path, op), { allowed, sudo, capabilities: caps, grantingPolicies: [] }, `${op} ${path}`);
  }
  assert.deepEqual(acl.capabilities('secret/admin'), ['create', 'delete', 'read', 'sudo', 'update']);
});

test('root grants everything including sudo', () => {
  const all = ['create', 'delete', 'list', 'patch', 'read', 'subscribe', 'sudo', 'update'];
  assert.deepEqual(rootAcl.check('sys/audit/file', 'update'), { allowed: true, sudo: true, capabilities: all, grantingPolicies: ['root'] });
  assert.deepEqual(rootAcl.capabilities('anything'), all);
});

test('each allowed decision names the policies that granted its capability, in policy order', async () => {
  const acl = compileAcl([
    { ...(await parsePolicy(APP)), name: 'app' },
    { ...(await parsePolicy(LOCKDOWN)), name: 'lockdown' },
    { ...(await parsePolicy('path "secret/*" { capabilities = ["read"] }')), name: 'reader' },
  ]);
  const granting = (path: string, op: Operation) => acl.check(path, op).grantingPolicies;
  assert.deepEqual(granting('secret/foo', 'read'), ['app', 'reader']); // both grant read on the chosen rule
  assert.deepEqual(granting('secret/foo', 'create'), ['lockdown']);     // only lockdown grants create
  assert.deepEqual(granting('secret/foo', 'update'), []);               // refused: no granting policy
  assert.deepEqual(granting('secret/shared/doc', 'read'), []);          // a merged deny forgets the grants
  assert.deepEqual(granting('kv/team/config', 'read'), ['app']);
  assert.deepEqual(granting('other/path', 'help'), []);                 // help is allowed by no policy
});

test('the policy store names the granting policies by their stored names', async () => {
  const store = createPolicyStore({ storage: createMemoryStorage() });
  await store.put('kv-read', 'path "secret/data/*" { capabilities = ["read"] }');
  await store.put('kv-write', 'path "secret/data/*" { capabilities = ["update"] }');
  const acl = await store.acl(['kv-write', 'default', 'kv-read']);
  assert.deepEqual(acl.check('secret/data/app', 'read').grantingPolicies, ['kv-read']);
  assert.deepEqual(acl.check('secret/data/app', 'update').grantingPolicies, ['kv-write']);
  assert.deepEqual((await store.acl(['root'])).check('secret/data/app', 'read').grantingPolicies, ['root']);
});

test('policy store: root wins, unknown policies are ignored, cache follows put/delete', async () => {
  const store = createPolicyStore({ storage: createMemoryStorage() });
  await store.put('App', APP);
  const withUnknown = await store.acl(['app', 'does-not-exist']);
  assert.deepEqual(withUnknown.check('kv/t/config', 'read').allowed, true);
  assert.deepEqual(withUnknown.capabilities('other'), ['deny']);
  assert.equal((await store.acl(['app', 'root'])).check('other', 'delete').sudo, true);
  assert.equal(await store.acl(['does-not-exist']).then((a) => a.check('secret/x', 'read').allowed), false);

  // Cached ACL is dropped when a policy changes.
  assert.equal((await store.acl(['app'])).check('secret/x', 'read').allowed, true);
  await store.put('app', 'path "secret/*" { capabilities = ["deny"] }');
  assert.equal((await store.acl(['app'])).check('secret/x', 'read').allowed, false);
  await store.delete('app');
  assert.deepEqual((await store.acl(['app'])).capabilities('secret/x'), ['deny']);
});

test('LIST with a trailing slash is matched without it first, as Vault does', async () => {
  const acl = compileAcl([await parsePolicy(`
path "secret/metadata/+"   { capabilities = ["list"] }
path "locked*"             { capabilities = ["deny"] }
path "locked/*"            { capabilities = ["list", "read"] }
`)]);
  assert.equal(acl.check('secret/metadata/team/', 'list').allowed, true);
  assert.equal(acl.check('secret/metadata/team/x', 'list').allowed, false);
  // The rule for the directory itself decides its listing, not one for what is inside it.
  assert.equal(acl.check('locked/', 'list').allowed, false);
  assert.deepEqual(acl.capabilities('locked/'), ['deny']);
  assert.equal(acl.check('locked/a', 'read').allowed, true);
});

test('a + inside a segment is a literal character: a glob deny over it keeps its rank above a segment grant (as Vault)', async () => {
  const acl = compileAcl([await parsePolicy(`
path "secret/data/a+b/*" { capabilities = ["deny"] }
path "secret/data/a+b/+" { capabilities = ["read"] }
path "literal/c+d" { capabilities = ["read"] }
`)]);
  assert.equal(acl.check('secret/data/a+b/x', 'read').allowed, false, 'the deny (first wildcard at its *) outranks the grant (first + earlier)');
  assert.equal(acl.check('literal/c+d', 'read').allowed, true, 'an exact path with a + in it');
  assert.equal(acl.check('literal/cxd', 'read').allowed, false, 'that + matches only itself');
});

test('a JSON policy that repeats a key is refused: JSON.parse would keep only the last rule and drop a deny the text shows', async () => {
  for (const text of [
    '{"path":{"secret/data/team/*":{"capabilities":["deny"]},"secret/data/team/*":{"capabilities":["read"]}}}',
    '{"path":{"secret/data/team/*":{"capabilities":["deny"]}},"path":{"secret/data/*":{"capabilities":["read"]}}}',
    '{"path":{"secret/data/x":{"capabilities":["read"],"capabilities":["deny"]}}}',
    '{"path":{"a":{"capabilities":["read"]},"\\u0061":{"capabilities":["deny"]}}}',
  ]) {
    await assert.rejects(parsePolicy(text), (err: Error & { code?: string }) => err.code === 'invalid_policy' && /appears twice in one object/.test(err.message), text);
  }
  // The same names in different objects, in lists and in values are no repetition.
  const ok = await parsePolicy('{"path":{"a":{"capabilities":["read","read"]},"b":{"capabilities":["read"],"allowed_parameters":{"capabilities":["path"]}}}}');
  assert.equal(ok.paths.length, 2);
});

test('one leading slash of a policy path is dropped, as in Vault: "//secret/x" names no path a request can have', async () => {
  const acl = compileAcl([await parsePolicy('path "/one/x" { capabilities = ["read"] }\npath "//two/x" { capabilities = ["read"] }')]);
  assert.equal(acl.check('one/x', 'read').allowed, true);
  assert.equal(acl.check('two/x', 'read').allowed, false);
});
