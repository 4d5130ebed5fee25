/**
 * KMS users under concurrency: a lookup that raced a rotation or deletion (storage answering a read
 * after the write, as a database pool can) does not keep the old access key working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenStore } from '../../../src/auth/index.js';
import type { TokenEntry } from '../../../src/core/index.js';
import { createUserStore } from '../../../src/kms/users/store.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/index.js';

/** Enough of the token store for linked tokens: create, look up, renew, revoke. */
function fakeTokens(): TokenStore {
  const live = new Map<string, TokenEntry>();
  let n = 0;
  return {
    async create() {
      const id = `t${++n}`;
      const entry = { id, accessor: `a${n}`, expireTime: 0, path: 'kms/users/x' } as unknown as TokenEntry;
      live.set(id, entry);
      return { id, entry };
    },
    lookup: async (id: string) => live.get(id),
    renew: async (entry: TokenEntry) => entry,
    revokeOrphan: async (entry: TokenEntry) => { live.delete((entry as unknown as { id: string }).id); },
  } as unknown as TokenStore;
}

/** Memory storage whose next read of a key under `prefix` answers, with what it saw, only when released. */
function heldStorage() {
  const memory = createMemoryStorage();
  let holdPrefix: string | undefined;
  let release: (() => void) | undefined;
  const storage: Storage = {
    get: (key) => {
      const seen = memory.get(key);
      if (holdPrefix === undefined || !key.startsWith(holdPrefix)) return seen;
      holdPrefix = undefined;
      return new Promise((resolve) => { release = () => resolve(seen); });
    },
    put: (key, value) => memory.put(key, value),
    delete: (key) => memory.delete(key),
    list: (prefix) => memory.list(prefix),
    transaction: (ops) => memory.transaction(ops),
  };
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    storage,
    hold: (prefix: string) => { holdPrefix = prefix; },
    async released() {
      for (let i = 0; i < 20 && !release; i++) await settle();
      assert.ok(release, 'a read is held');
      release();
      release = undefined;
      await settle();
    },
  };
}

for (const change of ['rotate', 'remove'] as const) {
  test(`an access key looked up while its user's ${change} commits stops working once the ${change} is done`, async () => {
    const held = heldStorage();
    const users = createUserStore({ storage: held.storage, tokens: fakeTokens(), clock: manualClock(Date.UTC(2026, 0, 1)), accountId: '111122223333' });
    const { user } = await users.upsert('app', ['default']);
    held.hold('users/'); // the lookup's read of the user record is answered late
    const lookup = users.resolve(user.accessKeyId);
    await (change === 'rotate' ? users.rotate('app') : users.remove('app'));
    await held.released();
    // Begun before: it answers as it found, or nothing once it sees the user's token revoked.
    const during = await lookup;
    if (change === 'rotate') assert.equal(during?.accessKeyId, user.accessKeyId, 'the lookup begun before answers as it found');
    assert.equal(await users.resolve(user.accessKeyId), undefined, `the old access key is refused after the ${change}`);
  });
}

test('a linked token re-minted while the user is rotated does not undo the rotation', async () => {
  const held = heldStorage();
  const tokens = fakeTokens();
  const users = createUserStore({ storage: held.storage, tokens, clock: manualClock(Date.UTC(2026, 0, 1)), accountId: '111122223333' });
  const { user } = await users.upsert('app', ['default']);
  await tokens.revokeOrphan((await tokens.lookup(user.tokenId))!); // the linked token is gone: the next call re-mints
  const first = users.resolve(user.accessKeyId);
  const rotated = await users.rotate('app');
  await first;
  assert.equal((await users.get('app'))?.accessKeyId, rotated.accessKeyId, 'the stored user keeps the rotated key pair');
  assert.equal((await users.resolve(rotated.accessKeyId))?.accessKeyId, rotated.accessKeyId);
  assert.equal(await users.resolve(user.accessKeyId), undefined);
});
