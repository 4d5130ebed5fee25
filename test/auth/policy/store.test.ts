import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyStore } from '../../../src/auth/policy/store.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

test('a frozen policy list (a cached token\'s) reuses its ACL until any policy changes', async () => {
  const store = createPolicyStore({ storage: createMemoryStorage() });
  await store.put('app', 'path "secret/data/app" { capabilities = ["read"] }');
  const list = Object.freeze(['app', 'default']);
  const first = store.acl(list);
  assert.equal(store.acl(list), first, 'same list, same ACL');
  assert.equal((await first).check('secret/data/app', 'read').allowed, true);
  assert.equal((await first).check('secret/data/other', 'read').allowed, false);

  await store.put('app', 'path "secret/data/other" { capabilities = ["read"] }');
  const changed = await store.acl(list);
  assert.equal(changed.check('secret/data/app', 'read').allowed, false);
  assert.equal(changed.check('secret/data/other', 'read').allowed, true);

  await store.delete('app');
  assert.equal((await store.acl(list)).check('secret/data/other', 'read').allowed, false);
  // An unfrozen list with the same names gets the same answers.
  assert.equal((await store.acl(['default', 'APP '])).check('secret/data/other', 'read').allowed, false);
});
