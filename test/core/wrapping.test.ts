import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenStore } from '../../src/auth/token/store.js';
import { createWrapping } from '../../src/core/wrapping.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageView } from '../../src/storage/types.js';

test('responses whose wrapping token expired unused are swept, at most once a minute', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 10, 23));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(7) });
  const wrapping = createWrapping({ storage: storageView(storage, 'wrap/'), tokens, clock });
  const kept = () => storage.keys().filter((k) => k.startsWith('wrap/')).length;

  await wrapping.wrap({ data: { a: 'one' } }, 'secret/data/a', 1);
  clock.advance(2_000); // the first token has expired
  await wrapping.wrap({ data: { a: 'two' } }, 'secret/data/a', 600);
  assert.equal(kept(), 2, 'the first wrap swept, the next one within the minute does not');
  clock.advance(60_000);
  await wrapping.wrap({ data: { a: 'three' } }, 'secret/data/a', 600);
  assert.equal(kept(), 2, 'the expired record is gone, the live ones stay');
});

test('every expired record is swept in time, however many live ones sort before it', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 10, 23));
  // Accessors in creation order, so the 150 long-lived records sort before the short-lived one.
  let n = 0;
  const tokens = {
    create: async () => {
      const accessor = `a${String(n++).padStart(4, '0')}`;
      return { id: `hvs.${accessor}`, entry: { accessor, idHash: `h-${accessor}` } as never };
    },
  };
  const wrapping = createWrapping({ storage: storageView(storage, 'wrap/'), tokens, clock });
  for (let i = 0; i < 150; i++) await wrapping.wrap({ data: { i } }, 'secret/data/a', 3600);
  await wrapping.wrap({ data: { secret: 'short-lived' } }, 'secret/data/b', 1);
  const shortLived = 'wrap/h-a0150';
  assert.ok(storage.keys().includes(shortLived));
  for (let i = 0; i < 5; i++) {
    clock.advance(61_000);
    await wrapping.wrap({ data: { i } }, 'secret/data/c', 3600);
  }
  assert.ok(!storage.keys().includes(shortLived), 'the expired record is gone');
});

test('a wrapped response is kept under its token\'s id hash, never its accessor; one kept under an accessor is moved', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 10, 23));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(7) });
  const wrapping = createWrapping({ storage: storageView(storage, 'wrap/'), tokens, clock });
  const { wrapInfo } = await wrapping.wrap({ data: { a: 'one' } }, 'secret/data/a', 600);
  const entry = (await tokens.lookup(wrapInfo!.token))!;
  assert.deepEqual(storage.keys().filter((k) => k.startsWith('wrap/')), [`wrap/${entry.idHash}`]);

  // As an earlier layout kept it: under the accessor.
  const record = await storage.get(`wrap/${entry.idHash}`);
  await storage.delete(`wrap/${entry.idHash}`);
  await storage.put(`wrap/${entry.accessor}`, record!);
  await storage.put('wrap/gone0accessor0of0a0token', record!);
  assert.equal(await wrapping.migrate(async (accessor) => (await tokens.lookupByAccessor(accessor))?.idHash), 2);
  assert.deepEqual(storage.keys().filter((k) => k.startsWith('wrap/')), [`wrap/${entry.idHash}`], 'moved; the record of a token gone is deleted');
  assert.deepEqual((await wrapping.unwrap(entry)).data, { a: 'one' });
});
