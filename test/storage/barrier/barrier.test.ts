import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { createSealManager } from '../../../src/storage/barrier/index.js';
import { termOf, OVERHEAD } from '../../../src/storage/barrier/aead.js';
import { manualClock } from '../../../src/lib/clock.js';
import { bytes, text, unsealedManager } from './helpers.js';

test('barrier round trip: values come back, physical storage holds only ciphertext', async () => {
  const physical = createMemoryStorage();
  const { seal } = await unsealedManager(physical);
  const b = seal.barrier;
  await b.put('secret/data/app', bytes('hunter2-top-secret'));
  await b.transaction([
    { op: 'put', key: 'secret/data/db', value: bytes('db-password') },
    { op: 'put', key: 'secret/meta/x', value: new Uint8Array(0) },
  ]);
  assert.equal(text(await b.get('secret/data/app')), 'hunter2-top-secret');
  assert.equal(text(await b.get('secret/data/db')), 'db-password');
  assert.equal((await b.get('secret/meta/x'))?.length, 0);
  assert.equal(await b.get('secret/none'), undefined);
  assert.deepEqual(await b.list('secret/'), ['data/', 'meta/']);
  assert.deepEqual(await b.list('secret/data/'), ['app', 'db']);
  // The seal's own records are not part of the barrier's view.
  assert.deepEqual(await b.list(''), ['secret/']);
  assert.deepEqual(physical.keys(), ['core/keyring', 'core/keyring-usage', 'core/root-key', 'core/seal-config', 'secret/data/app', 'secret/data/db', 'secret/meta/x']);

  const raw = (await physical.get('secret/data/app'))!;
  assert.equal(raw.length, 'hunter2-top-secret'.length + OVERHEAD);
  assert.deepEqual([...raw.subarray(0, 5)], [1, 0, 0, 0, 1]); // format version 1, term 1
  assert.equal(Buffer.from(raw).includes('hunter2'), false);
  // Same plaintext twice gives different ciphertext (fresh nonce).
  await b.put('secret/data/app', bytes('hunter2-top-secret'));
  assert.notDeepEqual(await physical.get('secret/data/app'), raw);

  await b.delete('secret/data/app');
  assert.equal(await b.get('secret/data/app'), undefined);
  assert.equal(await physical.get('secret/data/app'), undefined);
});

test('values are copied: mutating what was put or got changes nothing stored', async () => {
  const { seal } = await unsealedManager();
  const v = bytes('abc');
  await seal.barrier.put('k', v);
  v.fill(0);
  const out = (await seal.barrier.get('k'))!;
  out.fill(0);
  assert.equal(text(await seal.barrier.get('k')), 'abc');
});

test('after rotate, old values stay readable and new writes use the new term', async () => {
  const physical = createMemoryStorage();
  const { seal } = await unsealedManager(physical);
  await seal.barrier.put('old', bytes('written under term 1'));
  assert.equal((await seal.status()).term, 1);
  assert.equal(await seal.rotate(), 2);
  assert.equal(await seal.rotate(), 3);
  assert.equal((await seal.status()).term, 3);
  await seal.barrier.put('new', bytes('written under term 3'));
  assert.equal(termOf((await physical.get('old'))!), 1);
  assert.equal(termOf((await physical.get('new'))!), 3);
  assert.equal(text(await seal.barrier.get('old')), 'written under term 1');
  assert.equal(text(await seal.barrier.get('new')), 'written under term 3');
});

test('the rotated keyring survives seal and unseal', async () => {
  const physical = createMemoryStorage();
  const { seal, unsealKey } = await unsealedManager(physical);
  await seal.barrier.put('a', bytes('one'));
  await seal.rotate();
  await seal.barrier.put('b', bytes('two'));
  await seal.seal();
  const again = createSealManager({ physical, clock: manualClock(0) });
  await again.unsealWithKey(unsealKey);
  assert.equal((await again.status()).term, 2);
  assert.equal(text(await again.barrier.get('a')), 'one');
  assert.equal(text(await again.barrier.get('b')), 'two');
});

test('tampered, moved or foreign-term values fail with a clear error', async () => {
  const physical = createMemoryStorage();
  const { seal } = await unsealedManager(physical);
  await seal.barrier.put('secret/a', bytes('value-a'));
  const good = (await physical.get('secret/a'))!;

  const flipped = Uint8Array.from(good);
  flipped[flipped.length - 20] ^= 0x01; // a ciphertext byte
  const wrongTerm = Uint8Array.from(good);
  wrongTerm[4] = 9;
  const wrongVersion = Uint8Array.from(good);
  wrongVersion[0] = 2;
  const cases: Array<[string, string, Uint8Array, string]> = [
    ['flipped ciphertext bit', 'secret/a', flipped, 'barrier_decrypt_failed'],
    ['value copied to another key', 'secret/b', good, 'barrier_decrypt_failed'],
    ['unknown term', 'secret/a', wrongTerm, 'barrier_unknown_term'],
    ['unknown format version', 'secret/a', wrongVersion, 'barrier_bad_format'],
    ['truncated', 'secret/a', good.subarray(0, 20), 'barrier_bad_format'],
    ['plaintext', 'secret/a', bytes('value-a'), 'barrier_bad_format'],
  ];
  for (const [name, key, stored, code] of cases) {
    await physical.put(key, stored);
    await assert.rejects(seal.barrier.get(key), (err: Error & { kind?: string; code?: string }) => {
      assert.equal(err.name, 'SealtrailError', name);
      assert.equal(err.kind, 'internal', name);
      assert.equal(err.code, code, name);
      assert.match(err.message, new RegExp(`^barrier: stored value at "${key}" `), name);
      assert.equal(err.message.includes('value-a'), false, name);
      return true;
    });
  }
});

test('keys under core/ are refused by the barrier', async () => {
  const { seal } = await unsealedManager();
  const b = seal.barrier;
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['get', () => b.get('core/keyring')],
    ['put', () => b.put('core/keyring', bytes('x'))],
    ['delete', () => b.delete('core/root-key')],
    ['list', () => b.list('core/')],
    ['transaction', () => b.transaction([{ op: 'put', key: 'ok', value: bytes('x') }, { op: 'delete', key: 'core/seal-config' }])],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), { name: 'SealtrailError', kind: 'invalid', code: 'reserved_storage_key' }, name);
  }
  assert.equal(await b.get('ok'), undefined); // the refused transaction applied nothing
  await b.put('core', bytes('a leaf named core is fine'));
  assert.deepEqual(await b.list(''), ['core']);
});

test('while sealed (before init, and after seal) every barrier call throws kind sealed', async () => {
  const physical = createMemoryStorage();
  const fresh = createSealManager({ physical, clock: manualClock(0) });
  const { seal } = await unsealedManager(physical);
  await seal.barrier.put('k', bytes('v'));
  await seal.seal();
  assert.equal(seal.isSealed(), true);
  for (const m of [fresh, seal]) {
    const b = m.barrier;
    const calls: Array<() => Promise<unknown>> = [
      () => b.get('k'),
      () => b.put('k', bytes('x')),
      () => b.delete('k'),
      () => b.list(''),
      () => b.transaction([{ op: 'delete', key: 'k' }]),
      () => m.rotate(),
    ];
    for (const call of calls) {
      await assert.rejects(call(), { name: 'SealtrailError', kind: 'sealed', code: 'sealed', message: 'Vault is sealed' });
    }
  }
  assert.ok(await physical.get('k'), 'sealed calls changed nothing');
});

test('a read in flight when the server seals does not return plaintext', async () => {
  const memory = createMemoryStorage();
  let release: () => void = () => undefined;
  let gated = false;
  // Physical storage whose reads wait for the test to release them once gated.
  const physical = {
    ...memory,
    async get(key: string) {
      if (gated) await new Promise<void>((r) => { release = r; });
      return memory.get(key);
    },
  };
  const { seal } = await unsealedManager(physical);
  await seal.barrier.put('k', bytes('v'));
  gated = true;
  const pending = seal.barrier.get('k');
  await seal.seal();
  release();
  await assert.rejects(pending, { kind: 'sealed' });
});
