import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenHasher } from '../../../src/auth/token/hash.js';
import { createTokenStore } from '../../../src/auth/token/store.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

/** The key the store's accessor index uses: an HMAC of the accessor, never the accessor (store.ts). */
const accessorHash = tokenHasher(new Uint8Array(32).fill(7), 'accessor:');

const T0 = Date.UTC(2025, 0, 1);

function setup() {
  const storage = createMemoryStorage();
  const clock = manualClock(T0);
  const tokens = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  return { storage, clock, tokens };
}

const isCode = (code: string) => (err: unknown) => err instanceof SealtrailError && err.code === code;

test('create and lookup; the token stops working at its TTL', async () => {
  const { storage, clock, tokens } = setup();
  const { id, entry } = await tokens.create({ policies: ['Dev', 'ops', 'dev'], ttl: 60, path: 'auth/token/create', displayName: 'token-ci', metadata: { team: 'a' } });
  assert.match(id, /^hvs\.[0-9A-Za-z]{24}$/);
  assert.match(entry.accessor, /^[0-9A-Za-z]{24}$/);
  assert.deepEqual({ ...entry, idHash: '-', accessor: '-' }, {
    idHash: '-', accessor: '-', policies: ['dev', 'ops'], path: 'auth/token/create', meta: { team: 'a' },
    displayName: 'token-ci', numUses: 0, creationTime: T0, ttl: 60, explicitMaxTtl: 0, period: 0, renewable: true,
    expireTime: T0 + 60_000, entityId: '', type: 'service', orphan: true,
  });
  assert.equal((await tokens.lookup(id))?.accessor, entry.accessor);
  assert.equal((await tokens.lookupByAccessor(entry.accessor))?.idHash, entry.idHash);
  assert.equal(await tokens.lookup(id + 'x'), undefined);

  clock.advance(59_999);
  assert.ok(await tokens.lookup(id));
  clock.advance(1);
  assert.equal(await tokens.lookup(id), undefined);
  // Deleted lazily: nothing left in storage.
  assert.deepEqual(storage.keys(), []);
});

test('TTL defaults: 768h, capped by explicit max; root tokens never expire', async () => {
  const { clock, tokens } = setup();
  const plain = await tokens.create({ policies: ['dev'], path: 'p' });
  assert.equal(plain.entry.ttl, 2_764_800);
  const capped = await tokens.create({ policies: ['dev'], ttl: 7200, explicitMaxTtl: 3600, path: 'p' });
  assert.equal(capped.entry.ttl, 3600);
  const root = await tokens.create({ policies: ['root', 'dev'], path: 'auth/token/root', id: 'my-root-id' });
  assert.deepEqual([root.entry.policies, root.entry.ttl, root.entry.expireTime, root.entry.renewable], [['root'], 0, 0, false]);
  clock.advance(10 * 365 * 86400_000);
  assert.ok(await tokens.lookup('my-root-id'));
  await assert.rejects(tokens.create({ policies: ['root'], path: 'p', id: 'my-root-id' }), isCode('duplicate_token_id'));
  await assert.rejects(tokens.create({ policies: ['dev'], path: 'p', numUses: -1 }), isCode('invalid_num_uses'));
});

test('num_uses counts down persistently; the last use spends the token, revoked when its request is done', async () => {
  const { storage, tokens } = setup();
  const { id, entry } = await tokens.create({ policies: ['dev'], numUses: 2, path: 'p' });
  const child = await tokens.create({ policies: ['dev'], path: 'p', parent: (await tokens.create({ policies: ['dev'], path: 'p' })).entry });
  assert.deepEqual(await tokens.use(entry), { remainingUses: 1, lastUse: false });
  tokens.clearCache();
  const reread = await tokens.lookup(id);
  assert.equal(reread?.numUses, 1);
  assert.deepEqual(await tokens.use(reread!), { remainingUses: 0, lastUse: true });
  // Spent: no other request finds it, uses it or renews it, though it is still stored.
  assert.equal(await tokens.lookup(id), undefined);
  assert.equal(await tokens.lookupByAccessor(entry.accessor), undefined);
  await assert.rejects(tokens.use(reread!), isCode('token_revoked'));
  await assert.rejects(tokens.renew(reread!), isCode('token_not_found'));
  assert.ok((await storage.list('id/')).includes(entry.idHash));
  // The request that spent it is done: revoked like any token.
  await tokens.revokeSpent(reread!);
  assert.ok(!(await storage.list('id/')).includes(entry.idHash));
  assert.ok(await tokens.lookup(child.id), 'an unrelated token is untouched');
  const unlimited = await tokens.create({ policies: ['dev'], path: 'p' });
  assert.deepEqual(await tokens.use(unlimited.entry), { remainingUses: 0, lastUse: false });
});

test('tidy revokes a spent token whose request ended without revoking it, and leaves one still in use', async () => {
  const { storage, clock, tokens } = setup();
  const { entry } = await tokens.create({ policies: ['dev'], numUses: 1, path: 'p' });
  await tokens.use(entry);
  // Its request still runs in this process.
  assert.equal(await tokens.tidy(), 0);
  assert.ok((await storage.list('id/')).includes(entry.idHash));
  // The process stopped before the request was done: the next process's tidy revokes it.
  const next = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  assert.equal(await next.tidy(), 1);
  assert.deepEqual(await storage.list('id/'), []);
});

test('a child of a token revoked or expired meanwhile is refused, not handed out already revoked', async () => {
  const { clock, tokens } = setup();
  const revoked = await tokens.create({ policies: ['dev'], path: 'p' });
  await tokens.revokeTree(revoked.entry);
  await assert.rejects(tokens.create({ policies: ['dev'], path: 'p', parent: revoked.entry }), isCode('token_revoked'));
  const expiring = await tokens.create({ policies: ['dev'], path: 'p', ttl: 60 });
  clock.advance(60_000);
  await assert.rejects(tokens.create({ policies: ['dev'], path: 'p', parent: expiring.entry }), isCode('token_revoked'));
  // An orphan made by that caller does not depend on it.
  assert.ok(await tokens.create({ policies: ['dev'], path: 'p', parent: revoked.entry, noParent: true }));
});

test('revokeTree removes all descendants; revokeOrphan keeps the children', async () => {
  const { storage, tokens } = setup();
  const parent = await tokens.create({ policies: ['dev'], path: 'p' });
  const child = await tokens.create({ policies: ['dev'], path: 'p', parent: parent.entry, entityId: 'e-1' });
  const grandchild = await tokens.create({ policies: ['dev'], path: 'p', parent: child.entry });
  const orphan = await tokens.create({ policies: ['dev'], path: 'p', parent: parent.entry, noParent: true });
  assert.equal(child.entry.orphan, false);
  assert.equal(child.entry.parentAccessor, parent.entry.accessor);
  assert.equal(grandchild.entry.entityId, 'e-1', 'a child inherits its parent\'s entity');
  assert.equal(orphan.entry.orphan, true);

  await tokens.revokeTree(parent.entry);
  for (const t of [parent, child, grandchild]) {
    assert.equal(await tokens.lookup(t.id), undefined);
    assert.equal(await tokens.lookupByAccessor(t.entry.accessor), undefined);
  }
  assert.ok(await tokens.lookup(orphan.id));
  assert.deepEqual(storage.keys(), [`accessor/${accessorHash(orphan.entry.accessor)}`, `id/${orphan.entry.idHash}`]);
  assert.deepEqual(await tokens.listAccessors(), [orphan.entry.accessor]);

  const p2 = await tokens.create({ policies: ['dev'], path: 'p' });
  const c2 = await tokens.create({ policies: ['dev'], path: 'p', parent: p2.entry });
  const g2 = await tokens.create({ policies: ['dev'], path: 'p', parent: c2.entry });
  await tokens.revokeOrphan(p2.entry);
  assert.equal(await tokens.lookup(p2.id), undefined);
  const c2Now = await tokens.lookup(c2.id);
  assert.equal(c2Now?.orphan, true);
  assert.equal(c2Now?.parentAccessor, undefined);
  assert.ok(await tokens.lookup(g2.id), 'grandchildren stay children of the orphaned child');
  tokens.clearCache();
  assert.equal((await tokens.lookup(c2.id))?.orphan, true, 'orphaning is persisted');
  assert.deepEqual(storage.keys().filter((k) => k.startsWith('parent/')), [`parent/${accessorHash(c2.entry.accessor)}/${accessorHash(g2.entry.accessor)}`]);
});

test('a child stops working when its parent expires', async () => {
  const { clock, tokens } = setup();
  const parent = await tokens.create({ policies: ['dev'], ttl: 10, path: 'p' });
  const child = await tokens.create({ policies: ['dev'], ttl: 100, path: 'p', parent: parent.entry });
  clock.advance(10_000);
  assert.equal(await tokens.lookup(child.id), undefined);
  assert.equal(await tokens.lookup(parent.id), undefined);
});

test('a chain of child tokens is at most 64 deep, so revoking or expiring its top ends all of it', async () => {
  const { clock, tokens } = setup();
  const top = await tokens.create({ policies: ['dev'], ttl: 60, path: 'p' });
  let leaf = top;
  for (let ancestors = 1; ancestors <= 64; ancestors++) leaf = await tokens.create({ policies: ['dev'], path: 'p', parent: leaf.entry });
  await assert.rejects(tokens.create({ policies: ['dev'], path: 'p', parent: leaf.entry }), (err: unknown) =>
    isCode('token_chain_too_deep')(err) && (err as Error).message === 'a token may have at most 64 ancestors: create it from a token nearer its root, or as an orphan');
  const orphan = await tokens.create({ policies: ['dev'], path: 'p', parent: leaf.entry, noParent: true });
  assert.equal(orphan.entry.orphan, true, 'an orphan starts a chain of its own');

  // The deepest token is looked up first, with nothing in between touched.
  await tokens.revokeTree(top.entry);
  assert.equal(await tokens.lookup(leaf.id), undefined, 'revoking the top ends the deepest descendant');

  const top2 = await tokens.create({ policies: ['dev'], ttl: 60, path: 'p' });
  let leaf2 = top2;
  for (let ancestors = 1; ancestors <= 64; ancestors++) leaf2 = await tokens.create({ policies: ['dev'], path: 'p', parent: leaf2.entry });
  clock.advance(60_000);
  assert.equal(await tokens.lookup(leaf2.id), undefined, 'the top expiring ends the deepest descendant');
});

test('renew extends from now, never past the explicit max TTL', async () => {
  const { clock, tokens } = setup();
  const { id, entry } = await tokens.create({ policies: ['dev'], ttl: 100, explicitMaxTtl: 250, path: 'p' });
  clock.advance(50_000);
  const a = await tokens.renew(entry, 60);
  assert.deepEqual([a.entry.expireTime, a.ttl], [T0 + 110_000, 60]);
  const b = await tokens.renew(entry);
  assert.deepEqual([b.entry.expireTime, b.ttl], [T0 + 150_000, 100], 'no increment: the original ttl');
  const c = await tokens.renew(entry, 1000);
  assert.deepEqual([c.entry.expireTime, c.ttl], [T0 + 250_000, 200], 'capped at creation + explicit_max_ttl');
  assert.equal(c.entry.ttl, 100, 'creation ttl is unchanged');
  clock.advance(199_000);
  assert.ok(await tokens.lookup(id));
  clock.advance(1_000);
  assert.equal(await tokens.lookup(id), undefined);
  await assert.rejects(tokens.renew(entry, 10), isCode('token_not_found'));

  const fixed = await tokens.create({ policies: ['dev'], ttl: 100, renewable: false, path: 'p' });
  await assert.rejects(tokens.renew(fixed.entry, 10), isCode('not_renewable'));
  const periodic = await tokens.create({ policies: ['dev'], period: 30, path: 'p' });
  clock.advance(20_000);
  assert.equal((await tokens.renew(periodic.entry, 500)).entry.expireTime, clock.now() + 30_000, 'periodic: always the period');
});

test('token ids never reach storage, in keys or values', async () => {
  const { storage, tokens } = setup();
  const root = await tokens.create({ policies: ['root'], path: 'auth/token/root', id: 'custom-root-token-id' });
  const a = await tokens.create({ policies: ['dev'], path: 'p', parent: root.entry, numUses: 3 });
  const b = await tokens.create({ policies: ['dev'], path: 'p', parent: a.entry, ttl: 60 });
  await tokens.use(a.entry);
  await tokens.renew(b.entry, 30);
  const ids = [root.id, a.id, b.id];
  assert.equal(storage.size, 8); // 3 × (id + accessor) + 2 parent markers
  for (const key of storage.keys()) {
    const value = Buffer.from((await storage.get(key))!).toString('latin1');
    for (const id of ids) {
      assert.ok(!key.includes(id), `key ${key} holds a token id`);
      assert.ok(!value.includes(id), `value of ${key} holds a token id`);
    }
  }
});

test('accessors that are not accessors are refused without touching storage paths', async () => {
  const { tokens } = setup();
  await tokens.create({ policies: ['dev'], path: 'p' });
  assert.equal(await tokens.lookupByAccessor('../id/x'), undefined);
  assert.equal(await tokens.lookupByAccessor(''), undefined);
});

test('tidy revokes expired tokens', async () => {
  const { clock, storage, tokens } = setup();
  await tokens.create({ policies: ['dev'], ttl: 5, path: 'p' });
  const keep = await tokens.create({ policies: ['dev'], ttl: 50, path: 'p' });
  clock.advance(6_000);
  assert.equal(await tokens.tidy(), 1);
  assert.deepEqual(storage.keys(), [`accessor/${accessorHash(keep.entry.accessor)}`, `id/${keep.entry.idHash}`]);
});

test('metadata and display names are bounded: they are written unhashed into every audit entry of the token', async () => {
  const { tokens } = setup();
  const create = (metadata: Record<string, string>, displayName = 'token') => tokens.create({ policies: ['dev'], path: 'p', metadata, displayName });
  const keys = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
  await create(keys);
  await create({ big: 'x'.repeat(16 * 1024 - 3) });
  // A caller's 1,024 bytes with what the server puts before them (`token-`, a login's mount path).
  await create({}, 'n'.repeat(2048));
  await assert.rejects(create({ ...keys, k64: 'v' }), isCode('token_metadata_too_large'));
  await assert.rejects(create({ big: 'x'.repeat(16 * 1024 - 2) }), isCode('token_metadata_too_large'));
  await assert.rejects(create({ ['é'.repeat(8 * 1024 + 1)]: '' }), isCode('token_metadata_too_large'), 'counted in UTF-8 bytes');
  await assert.rejects(create({}, 'n'.repeat(2049)), isCode('display_name_too_long'));
});

test('no storage key holds an accessor: a copy of the storage does not give them away (the values are encrypted, the keys are not)', async () => {
  const { storage, tokens } = setup();
  const parent = await tokens.create({ policies: ['root'], path: 'auth/token/root' });
  const child = await tokens.create({ policies: ['dev'], path: 'p', parent: parent.entry });
  const accessors = [parent.entry.accessor, child.entry.accessor];
  for (const key of storage.keys()) for (const a of accessors) assert.ok(!key.includes(a), key);
  // Still listed, looked up and revoked by accessor.
  assert.deepEqual(await tokens.listAccessors(), [...accessors].sort());
  assert.equal((await tokens.lookupByAccessor(child.entry.accessor))?.idHash, child.entry.idHash);
  await tokens.revokeTree(parent.entry);
  assert.deepEqual(storage.keys(), []);
});

test('an index written with plain accessors is moved to hashed keys, and works as before', async () => {
  const { storage, tokens, clock } = setup();
  const parent = await tokens.create({ policies: ['dev'], path: 'p' });
  const child = await tokens.create({ policies: ['dev'], path: 'p', parent: parent.entry });
  // As an earlier layout wrote it: accessor/<accessor> → { idHash }, parent/<accessor>/<accessor>.
  for (const t of [parent, child]) {
    await storage.delete(`accessor/${accessorHash(t.entry.accessor)}`);
    await storage.put(`accessor/${t.entry.accessor}`, Buffer.from(JSON.stringify({ idHash: t.entry.idHash })));
  }
  await storage.delete(`parent/${accessorHash(parent.entry.accessor)}/${accessorHash(child.entry.accessor)}`);
  await storage.put(`parent/${parent.entry.accessor}/${child.entry.accessor}`, new Uint8Array(0));

  const reopened = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  assert.equal(await reopened.migrate(), 2);
  assert.equal(await reopened.migrate(), 0, 'once');
  for (const key of storage.keys()) for (const a of [parent.entry.accessor, child.entry.accessor]) assert.ok(!key.includes(a), key);
  assert.equal((await reopened.lookupByAccessor(child.entry.accessor))?.idHash, child.entry.idHash);
  await reopened.revokeTree(parent.entry);
  assert.equal(await reopened.lookup(child.id), undefined, 'the children index still reaches the child');
  assert.deepEqual(storage.keys(), []);
});
