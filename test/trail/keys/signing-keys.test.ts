/** The digest-signing keys' public list (ListPublicKeys). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigningKeys } from '../../../src/trail/keys/signing-keys.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

test('the first list, which creates the key, never ends its validity before it starts', async () => {
  // A clock that moves a second at every reading: creating the key takes time.
  let t = Date.UTC(2026, 11, 7, 3, 0, 0);
  const clock = { now: () => (t += 1000), nowNs: () => BigInt(t) * 1_000_000n };
  const keys = createSigningKeys({ storage: createMemoryStorage(), clock });
  const [key] = await keys.publicKeys();
  assert.ok(key.ValidityEndTime >= key.ValidityStartTime, `${key.ValidityStartTime} → ${key.ValidityEndTime}`);
});
