import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginDisplayName } from '../../src/core/lifecycle.js';

test('a login token is named after its auth mount and the method\'s own name, as Vault names it', () => {
  assert.equal(loginDisplayName('auth/apm/', 'anjuna-entity-ab-cd'), 'apm-anjuna-entity-ab-cd');
  assert.equal(loginDisplayName('auth/enclaves/prod/', 'alice'), 'enclaves-prod-alice');
  // A method that names nothing leaves the mount's name, without its trailing dash.
  assert.equal(loginDisplayName('auth/apm/', ''), 'apm');
  // Only one trailing dash is cut (Vault's TrimSuffix).
  assert.equal(loginDisplayName('auth/apm/', 'x--'), 'apm-x-');
});
