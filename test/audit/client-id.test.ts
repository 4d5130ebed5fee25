import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIdFor, clientIdOf } from '../../src/audit/client-id.js';
import { deepFreeze } from '../../src/lib/immutable.js';

// Known answers: base64(SHA-256(input)), computed outside this code from Vault's
// TokenEntry.CreateClientID construction (sorted policies joined by U+007F, U+0000, namespace id).
test('client_id of a token without an entity: Vault\'s hash of its sorted policies and namespace', () => {
  assert.equal(clientIdFor(['b', 'a']), 'gdsWATYqGA50ULY8N9s4QB8BfX/LQdqQs1Gr6prCIIg='); // "a\x7fb\x00root"
  assert.equal(clientIdFor(['root']), '0DHqvq2D77kL2/JTPSZkTMJbkFVmUu0TzMi0jiXcFy8='); // "root\x00root"
  assert.equal(clientIdFor([]), 'SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I='); // the delimiter dropped: "root"
});

test('client_id sorts policy names in byte order, like Go', () => {
  // U+FF5E sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 code units (JavaScript's
  // default sort would hash "\u{1F600}\x7f\uFF5E\x00root", sPxkWNig...).
  assert.equal(clientIdFor(['\u{1F600}', '\uFF5E']), 'tHq21QNkOnpcvlP2U91TxAe5cKCwpCmFIXmaVziEJUk='); // "\uFF5E\x7f\u{1F600}\x00root"
});

test('client_id of a token with an entity is the entity id; a cached token\'s id is kept', () => {
  assert.equal(clientIdOf({ entityId: 'ent-1', policies: ['a'] }), 'ent-1');
  const frozen = deepFreeze({ entityId: '', policies: ['b', 'a'] });
  assert.equal(clientIdOf(frozen), 'gdsWATYqGA50ULY8N9s4QB8BfX/LQdqQs1Gr6prCIIg=');
  assert.equal(clientIdOf(frozen), 'gdsWATYqGA50ULY8N9s4QB8BfX/LQdqQs1Gr6prCIIg=');
});
