import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChallengeStore } from '../../../src/auth/apm/index.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { harness, SIGNER, T0 } from './helpers.js';

const fails = (code: string) => (err: unknown) => {
  assert.ok(err instanceof SealtrailError, String(err));
  assert.equal(err.code, code, err.message);
  return true;
};

test('50,000 unauthenticated init calls keep nothing, and a later init from the same address still gets a working challenge', async () => {
  const clock = manualClock(T0);
  const challenges = createChallengeStore({ clock });
  const h = await harness({ deps: { clock, challenges } });
  await h.call('update', 'role/app', { platform: 'nitro', signer_id: SIGNER, token_policies: 'app' });
  const started = Date.now();
  const ids = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    // Ten calls per millisecond (a flood of 10,000/s): ids of one millisecond differ by their
    // 32 random bits, so a frozen clock would make a birthday collision likely at 50,000.
    if (i % 10 === 0) clock.advance(1);
    ids.add((await h.init()).correlationId);
    if (i % 5000 === 0) assert.ok(Date.now() - started < 20_000, 'bounded in time');
  }
  assert.equal(ids.size, 50_000, 'every id is distinct');
  assert.equal(challenges.size, 0, 'init stores nothing');

  const { correlationId, challenge } = await h.init();
  const res = await h.auth(correlationId, h.evidence(challenge));
  assert.deepEqual(res!.auth!.policies, ['app']);
  assert.equal(challenges.size, 1);
});

test('a flood of auth calls keeps the used-challenge record bounded, and no dropped challenge can be replayed', async () => {
  const clock = manualClock(T0);
  const challenges = createChallengeStore({ clock, maxConsumed: 500 });
  const h = await harness({ deps: { clock, challenges } });
  await h.call('update', 'role/app', { platform: 'nitro', signer_id: SIGNER, token_policies: 'app' });
  const first = await h.init();
  const firstEvidence = h.evidence(first.challenge);
  assert.ok((await h.auth(first.correlationId, firstEvidence))!.auth);

  const used: string[] = [];
  for (let i = 0; i < 2000; i++) {
    clock.advance(1);
    const { correlationId } = await h.init();
    await assert.rejects(h.auth(correlationId, Buffer.from('junk').toString('base64')), fails('evidence_malformed'));
    used.push(correlationId);
    assert.ok(challenges.size <= 500);
  }
  assert.equal(challenges.size, 500);
  // The first login's id was dropped from the record long ago: the floor refuses it.
  await assert.rejects(h.auth(first.correlationId, firstEvidence), fails('challenge_expired'));
  await assert.rejects(h.auth(used[0], h.evidence(null)), fails('challenge_expired'));
  await assert.rejects(h.auth(used[used.length - 1], h.evidence(null)), fails('challenge_replayed'));

  clock.advance(1);
  const fresh = await h.init();
  assert.ok((await h.auth(fresh.correlationId, h.evidence(fresh.challenge)))!.auth, 'a new challenge still works');
});

test('used challenges are forgotten once they expire', () => {
  const clock = manualClock(T0);
  const store = createChallengeStore({ clock });
  for (let i = 0; i < 100; i++) store.consume(store.issue('nitro', 60_000).correlationId, 'nitro');
  assert.equal(store.size, 100);
  clock.advance(60_001);
  store.consume(store.issue('nitro', 60_000).correlationId, 'nitro');
  assert.equal(store.size, 1);
});

test('a correlation id is bound to its key, platform and expiry: altered, foreign or expired ids are refused', () => {
  const clock = manualClock(T0);
  const store = createChallengeStore({ clock });
  const issued = store.issue('nitro', 300_000);
  assert.equal(issued.expiresAt, T0 + 300_000);
  assert.equal(issued.challenge.length, 32);

  const last = issued.correlationId.slice(-1);
  const altered = issued.correlationId.slice(0, -1) + (last === '0' ? '1' : '0');
  assert.throws(() => store.consume(altered, 'nitro'), fails('challenge_unknown'));
  assert.throws(() => store.consume(issued.correlationId, 'sgx'), fails('challenge_unknown'));
  assert.throws(() => createChallengeStore({ clock }).consume(issued.correlationId, 'nitro'), fails('challenge_unknown'));
  assert.throws(() => store.consume('not-a-uuid', 'nitro'), fails('challenge_unknown'));
  assert.throws(() => store.consume('00000000-0000-4000-8000-000000000000', 'nitro'), fails('challenge_unknown'));

  assert.deepEqual(store.consume(issued.correlationId.toUpperCase(), 'nitro'), issued.challenge, 'case does not matter');
  assert.throws(() => store.consume(issued.correlationId, 'nitro'), fails('challenge_replayed'));

  const later = store.issue('nitro', 1000);
  clock.advance(1001);
  assert.throws(() => store.consume(later.correlationId, 'nitro'), fails('challenge_expired'));
});

test('the expiry survives the wrap of its 40-bit field', () => {
  const wrap = 2 ** 40;
  const clock = manualClock(wrap * 2 - 500); // the expiry lands past a multiple of 2^40
  const store = createChallengeStore({ clock });
  const issued = store.issue('nitro', 1000);
  clock.advance(999);
  assert.deepEqual(store.consume(issued.correlationId, 'nitro'), issued.challenge);
  const next = store.issue('nitro', 1000);
  clock.advance(1001);
  assert.throws(() => store.consume(next.correlationId, 'nitro'), fails('challenge_expired'));
});

test('the record drains and fills again in use order: expiry sweeps and evictions after the store was emptied', () => {
  const clock = manualClock(T0);
  const store = createChallengeStore({ clock, maxConsumed: 3 });
  for (let round = 0; round < 4; round++) {
    const ids = Array.from({ length: 5 }, (_, i) => store.issue('nitro', 1000 + i).correlationId);
    for (const id of ids) store.consume(id, 'nitro');
    assert.equal(store.size, 3, 'bounded');
    // The two oldest were evicted: they are refused by the floor, the kept ones as replays.
    assert.throws(() => store.consume(ids[0], 'nitro'), /expired/);
    assert.throws(() => store.consume(ids[4], 'nitro'), /already been used/);
    clock.advance(10_000);
    store.consume(store.issue('nitro', 1000).correlationId, 'nitro');
    assert.equal(store.size, 1, 'every expired entry was swept, the store emptied, then the new one kept');
    clock.advance(10_000);
    store.consume(store.issue('nitro', 1000).correlationId, 'nitro');
    assert.equal(store.size, 1);
    clock.advance(10_000);
  }
});
