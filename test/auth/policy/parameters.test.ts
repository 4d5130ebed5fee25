import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LIST_ITEMS } from '../../../src/lib/comma-list.js';
import type { Operation } from '../../../src/core/index.js';
import { compileAcl } from '../../../src/auth/policy/acl.js';
import { parsePolicy } from '../../../src/auth/policy/parse.js';

const acl = async (...texts: string[]) => compileAcl(await Promise.all(texts.map((t) => parsePolicy(t))));
const allowed = (a: Awaited<ReturnType<typeof acl>>, path: string, operation: Operation, data: Record<string, unknown>, wrapTtl = 0) =>
  a.check(path, operation, { data, wrapTtl }).allowed;

test('allowed_parameters: only the listed names, and with values only those (globs on strings)', async () => {
  const a = await acl(`
path "sys/mounts/*" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "type" = ["kv", "transit"]
    "description" = []
    "Options" = ["*-v2", "prefix-*", "*mid*"]
  }
}`);
  assert.equal(allowed(a, 'sys/mounts/x', 'update', { type: 'kv' }), true);
  assert.equal(allowed(a, 'sys/mounts/x', 'update', { type: 'kv', description: 'anything' }), true);
  assert.equal(allowed(a, 'sys/mounts/x', 'update', { type: 'pki' }), false);
  assert.equal(allowed(a, 'sys/mounts/x', 'update', { type: 'kv', config: {} }), false, 'a name not listed');
  assert.equal(allowed(a, 'sys/mounts/x', 'update', { TYPE: 'kv' }), true, 'names compare lower-cased');
  for (const [v, ok] of [['kv-v2', true], ['prefix-abc', true], ['a-mid-b', true], ['other', false]] as const) {
    assert.equal(allowed(a, 'sys/mounts/x', 'update', { options: v }), ok, v);
  }
  assert.equal(allowed(a, 'sys/mounts/x', 'update', {}), true, 'no parameters, nothing to refuse');
  assert.equal(allowed(a, 'sys/mounts/x', 'delete', { type: 'pki' }), false, 'no delete capability anyway');
  // Without the request (an internal capability check) only the capability counts.
  assert.equal(a.check('sys/mounts/x', 'update').allowed, true);
});

test('denied_parameters: a listed name is refused (any value with an empty list); "*" refuses every parameter', async () => {
  const a = await acl(`
path "secret/data/app" {
  capabilities = ["create", "update", "read", "delete"]
  denied_parameters = { "options" = [], "mode" = ["unsafe", 7] }
}
path "secret/data/locked" {
  capabilities = ["update"]
  denied_parameters = { "*" = [] }
}`);
  assert.equal(allowed(a, 'secret/data/app', 'update', { data: { k: 'v' } }), true);
  assert.equal(allowed(a, 'secret/data/app', 'update', { data: { k: 'v' }, options: { cas: 1 } }), false);
  assert.equal(allowed(a, 'secret/data/app', 'update', { mode: 'unsafe' }), false);
  assert.equal(allowed(a, 'secret/data/app', 'update', { mode: 7 }), false, 'non-string values compare by value');
  assert.equal(allowed(a, 'secret/data/app', 'update', { mode: 'safe' }), true);
  assert.equal(allowed(a, 'secret/data/app', 'delete', { options: 1 }), true, 'delete is not checked, as in Vault');
  assert.equal(allowed(a, 'secret/data/locked', 'update', { anything: 1 }), false);
  assert.equal(allowed(a, 'secret/data/locked', 'update', {}), true);
});

test('required_parameters, wrapping bounds, and merging two policies for one path', async () => {
  const a = await acl(`
path "auth/token/create" {
  capabilities = ["update"]
  required_parameters = ["policies"]
}
path "secret/data/wrapped" {
  capabilities = ["read"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "1h"
}`);
  assert.equal(allowed(a, 'auth/token/create', 'update', { policies: ['x'] }), true);
  assert.equal(allowed(a, 'auth/token/create', 'update', { ttl: '1h' }), false);
  assert.equal(allowed(a, 'auth/token/create', 'update', {}), false);
  // The lower-cased name itself, as Vault looks it up: the handler reads `policies`, not `POLICIES`.
  assert.equal(allowed(a, 'auth/token/create', 'update', { POLICIES: ['x'] }), false);
  assert.equal(allowed(a, 'auth/token/create', 'update', { Policies: ['x'] }), false);
  // A wrapping bound needs a wrapped response within it (which this server never gives).
  assert.equal(allowed(a, 'secret/data/wrapped', 'read', {}), false);
  assert.equal(allowed(a, 'secret/data/wrapped', 'read', {}, 30), false);
  assert.equal(allowed(a, 'secret/data/wrapped', 'read', {}, 300), true);
  assert.equal(allowed(a, 'secret/data/wrapped', 'read', {}, 7200), false);

  // Two policies on one path: value lists join, an empty list wins, required names union.
  const merged = await acl(
    'path "p" {\n capabilities = ["update"]\n allowed_parameters = { "a" = ["1"], "b" = ["x"] }\n required_parameters = ["a"]\n}',
    'path "p" {\n capabilities = ["create"]\n allowed_parameters = { "a" = ["2"], "b" = [] }\n required_parameters = ["b"]\n}',
  );
  assert.equal(allowed(merged, 'p', 'update', { a: '2', b: 'anything' }), true);
  assert.equal(allowed(merged, 'p', 'update', { a: '3', b: 'x' }), false);
  assert.equal(allowed(merged, 'p', 'update', { a: '1' }), false, 'b is required by the second policy');
  // Two maximum wrapping TTLs for one path: the lower holds, as in Vault.
  const wrapped = await acl('path "w" {\n capabilities = ["read"]\n max_wrapping_ttl = "1m"\n}', 'path "w" {\n capabilities = ["read"]\n max_wrapping_ttl = "1h"\n}');
  assert.equal(allowed(wrapped, 'w', 'read', {}, 60), true);
  assert.equal(allowed(wrapped, 'w', 'read', {}, 1800), false);
  // A deny on the same path drops the constraints with the grants.
  const denied = await acl('path "p" {\n capabilities = ["update"]\n allowed_parameters = { "a" = [] }\n}', 'path "p" { capabilities = ["deny"] }');
  assert.equal(allowed(denied, 'p', 'update', { a: 1 }), false);
});

test('list values are judged element by element (Vault 1.21+): arrays and comma-separated strings', async () => {
  const a = await acl(`
path "auth/token/create" {
  capabilities = ["update"]
  denied_parameters = { "policies" = ["admin*"] }
}
path "identity/group" {
  capabilities = ["update"]
  allowed_parameters = { "policies" = ["dev", "ops-*"], "name" = [] }
}`);
  // A denied value anywhere in a list refuses the request, as it does alone.
  for (const policies of [['admin'], ['dev', 'admin-all'], 'admin', 'dev,admin', 'dev, admin-x']) {
    assert.equal(allowed(a, 'auth/token/create', 'update', { policies }), false, JSON.stringify(policies));
  }
  for (const policies of [['dev'], 'dev,ops', ['dev', 'ops']]) {
    assert.equal(allowed(a, 'auth/token/create', 'update', { policies }), true, JSON.stringify(policies));
  }
  // An allowed list admits a list whose every element it allows, and nothing else.
  for (const policies of [['dev'], ['dev', 'ops-a'], 'dev,ops-b', 'dev']) {
    assert.equal(allowed(a, 'identity/group', 'update', { policies }), true, JSON.stringify(policies));
  }
  for (const policies of [['dev', 'admin'], 'dev,admin', ['admin'], 'admin']) {
    assert.equal(allowed(a, 'identity/group', 'update', { policies }), false, JSON.stringify(policies));
  }
  // A string of more parts than any list holds is not split (millions of parts, ~1 GB): it is
  // allowed only as a whole and denied as if a part were denied.
  const many = (n: number) => Array.from({ length: n }, () => 'dev').join(',');
  assert.equal(allowed(a, 'identity/group', 'update', { policies: many(MAX_LIST_ITEMS) }), true);
  assert.equal(allowed(a, 'identity/group', 'update', { policies: many(MAX_LIST_ITEMS + 1) }), false);
  assert.equal(allowed(a, 'auth/token/create', 'update', { policies: many(MAX_LIST_ITEMS) }), true);
  assert.equal(allowed(a, 'auth/token/create', 'update', { policies: many(MAX_LIST_ITEMS + 1) }), false);
});

test('a path that says how it reads its parameters has each judged as used: a declared list by element only, any other whole', async () => {
  const a = await acl(`
path "sys/journal/records" {
  capabilities = ["read"]
  allowed_parameters = { "kind" = ["vault-*", "capsule-access"], "entity_id" = ["e1", "e2"], "limit" = [] }
  denied_parameters = { "kind" = ["*attestation*"] }
}`);
  const check = (data: Record<string, unknown>, listParameters?: readonly string[]) =>
    a.check('sys/journal/records', 'read', { data, wrapTtl: 0, listParameters }).allowed;
  const lists = ['kind'];
  // Allowed whole, `vault-*` admits this string; the handler reads each kind of it.
  const everyKind = 'vault-response,cloudtrail,attestation,capsule-access,capsule-control,server';
  assert.equal(check({ kind: everyKind }), false, 'denied by its attestation element, either way');
  assert.equal(check({ kind: 'vault-response,cloudtrail' }), true, 'undeclared: Vault\'s rule, allowed as a whole');
  for (const kind of ['vault-response,cloudtrail', 'cloudtrail', 'vault-response,', 'vault-response, capsule-access', 'vault-response,server']) {
    assert.equal(check({ kind }, lists), false, kind);
  }
  for (const kind of ['vault-response', 'vault-response,capsule-access', 'capsule-access,vault-response,vault-response']) {
    assert.equal(check({ kind }, lists), true, kind);
  }
  assert.equal(check({ KIND: 'vault-response,cloudtrail' }, lists), false, 'names compare lower-cased');
  assert.equal(check({ kind: 'vault-response,attestation' }, lists), false, 'a denied element refuses');
  assert.equal(check({ kind: ['vault-response', 'server'] }, lists), false, 'an array is a list too');
  assert.equal(check({ kind: Array.from({ length: MAX_LIST_ITEMS + 1 }, () => 'vault-response').join(',') }, lists), false, 'too many to judge: refused');
  // A parameter the handler uses whole is judged whole: "e1,e2" is neither e1 nor e2.
  assert.equal(check({ entity_id: 'e1,e2' }), true, 'undeclared: every element allowed');
  assert.equal(check({ entity_id: 'e1,e2' }, lists), false);
  assert.equal(check({ entity_id: 'e2' }, lists), true);
  assert.equal(check({ kind: 'capsule-access,capsule-access' }, []), false, 'declared without lists: every value is judged whole');
});

test('a one-character value pattern is that character: ["*"] allows only the value "*" (as Vault)', async () => {
  const a = await acl(`
path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "display_name" = ["*"], "policies" = [] }
}`);
  assert.equal(allowed(a, 'auth/token/create', 'update', { display_name: 'admin' }), false);
  assert.equal(allowed(a, 'auth/token/create', 'update', { display_name: '*' }), true);
  const globs = await acl(`
path "x" {
  capabilities = ["update"]
  allowed_parameters = { "a" = ["**"], "b" = ["x*"] }
}`);
  assert.equal(allowed(globs, 'x', 'update', { a: 'anything' }), true, 'two characters are a glob again');
  assert.equal(allowed(globs, 'x', 'update', { b: 'xyz' }), true);
});
