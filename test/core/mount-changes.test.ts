/**
 * Mount table changes run one at a time, each to its stored table: with storage that commits
 * concurrent writes out of order (PostgreSQL's pool can), acknowledged enables, disables and tunes
 * survive a reload, and two enables of one path cannot both succeed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mounts } from '../../src/core/mount-table.js';
import type { Backend } from '../../src/core/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';

const backend: Backend = { handleRequest: async () => ({}) };
const factory = async () => backend;
const mountsOver = (storage: Storage) => new Mounts({ storage, clock: manualClock(0), secretEngines: { kv: factory }, authMethods: { apm: factory }, revokeLogins: async () => {} });

/** Memory storage where, of writes of the mount table in flight together, the first lands last. */
function reorderingStorage(): Storage {
  const memory = createMemoryStorage();
  let inFlight = 0;
  const slow = async (key: string, write: () => Promise<void>) => {
    if (!key.startsWith('core-mounts/')) return write();
    const wait = Math.max(0, 40 - 10 * inFlight++);
    try {
      await new Promise((r) => setTimeout(r, wait));
      await write();
    } finally {
      inFlight--;
    }
  };
  return {
    ...memory,
    put: (key, value) => slow(key, () => memory.put(key, value)),
    transaction: (ops) => slow(ops[0]?.key ?? '', () => memory.transaction(ops)),
  };
}

test('concurrent enables, disables and tunes: what was acknowledged is what a reload finds', async () => {
  const storage = reorderingStorage();
  const mounts = mountsOver(storage);
  await Promise.all(['a/', 'b/', 'c/', 'd/', 'e/'].map((path) => mounts.enable('secret', { path, type: 'kv' })));
  await Promise.all([
    mounts.disable('secret', 'a/'),
    mounts.disable('secret', 'b/'),
    mounts.tune('secret', 'c/', { maxLeaseTtl: 3600 }),
    mounts.enable('secret', { path: 'f/', type: 'kv' }),
  ]);
  const reloaded = mountsOver(storage);
  await reloaded.load();
  assert.deepEqual(reloaded.list('secret').map((e) => e.path), ['c/', 'd/', 'e/', 'f/']);
  assert.equal(reloaded.get('secret', 'c/')?.entry.config.maxLeaseTtl, 3600);
});

test('two enables of one path, or of nested paths, at once: one succeeds, the other is a conflict', async () => {
  const mounts = mountsOver(reorderingStorage());
  const same = await Promise.allSettled([1, 2, 3].map(() => mounts.enable('secret', { path: 'same/', type: 'kv' })));
  assert.equal(same.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of same) if (r.status === 'rejected') assert.match(String(r.reason), /already in use/);
  const nested = await Promise.allSettled([mounts.enable('secret', { path: 'nest/', type: 'kv' }), mounts.enable('secret', { path: 'nest/b/', type: 'kv' })]);
  assert.equal(nested.filter((r) => r.status === 'fulfilled').length, 1);
});
