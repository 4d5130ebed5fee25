import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine } from 'shamir-secret-sharing';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { createSealManager } from '../../../src/storage/barrier/index.js';
import { Keyring } from '../../../src/storage/barrier/keyring.js';
import { manualClock } from '../../../src/lib/clock.js';
import { bytes, text } from './helpers.js';
import { SealtrailError } from '../../../src/errors/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const newManager = (physical = createMemoryStorage()) => ({ physical, seal: createSealManager({ physical, clock: manualClock(0) }) });

test('status before init, after init (sealed) and after unseal', async () => {
  const { seal } = newManager();
  assert.deepEqual(await seal.status(), { type: 'shamir', initialized: false, sealed: true, t: 0, n: 0, progress: 0, nonce: '', term: 0 });
  const { keys } = await seal.initialize({ secretShares: 5, secretThreshold: 3 });
  assert.equal(keys.length, 5);
  for (const k of keys) assert.equal(k.length, 33);
  assert.equal(new Set(keys.map((k) => Buffer.from(k).toString('hex'))).size, 5);
  assert.deepEqual(await seal.status(), { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '', term: 0 });
  assert.equal(seal.isSealed(), true);
});

test('init validates shares and threshold with Vault messages', async () => {
  const table: Array<[number, number, string | undefined]> = [
    [1, 1, undefined],
    [2, 2, undefined],
    [255, 2, undefined],
    [0, 0, 'shares must be at least one'],
    [3, 0, 'threshold must be at least one'],
    [3, 1, 'threshold must be greater than one for multiple shares'],
    [256, 2, 'shares must be less than 256'],
    [2, 3, 'threshold cannot be larger than shares'],
    [1.5, 1, 'shares must be an integer'],
  ];
  for (const [secretShares, secretThreshold, error] of table) {
    const { seal } = newManager();
    const attempt = seal.initialize({ secretShares, secretThreshold });
    if (error === undefined) assert.equal((await attempt).keys.length, secretShares);
    else {
      await assert.rejects(attempt, { kind: 'invalid', code: 'invalid_seal_config', message: `invalid seal configuration: ${error}` });
      assert.equal((await seal.status()).initialized, false);
    }
  }
});

test('init twice is refused; unseal before init is uninitialized', async () => {
  const { seal, physical } = newManager();
  await assert.rejects(seal.submitUnsealKey(new Uint8Array(33)), { kind: 'uninitialized', code: 'not_initialized' });
  await assert.rejects(seal.unsealWithKey(new Uint8Array(32)), { kind: 'uninitialized', code: 'not_initialized' });
  await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await assert.rejects(seal.initialize({ secretShares: 1, secretThreshold: 1 }), { kind: 'invalid', code: 'already_initialized', message: 'Vault is already initialized' });
  // A second manager over the same storage sees the persisted config.
  const other = createSealManager({ physical, clock: manualClock(0) });
  assert.deepEqual(await other.status(), { type: 'shamir', initialized: true, sealed: true, t: 1, n: 1, progress: 0, nonce: '', term: 0 });
  await assert.rejects(other.initialize({ secretShares: 1, secretThreshold: 1 }), { code: 'already_initialized' });
});

test('unseal with 3 of 5 shares: progress, nonce, duplicates ignored, then unsealed', async () => {
  const { seal, physical } = newManager();
  const { keys } = await seal.initialize({ secretShares: 5, secretThreshold: 3 });
  let s = await seal.submitUnsealKey(keys[4]);
  assert.equal(s.progress, 1);
  assert.match(s.nonce, UUID);
  const nonce = s.nonce;
  s = await seal.submitUnsealKey(Buffer.from(keys[4])); // the same share again (as a Buffer)
  assert.equal(s.progress, 1);
  s = await seal.submitUnsealKey(keys[1]);
  assert.deepEqual([s.progress, s.nonce, s.sealed], [2, nonce, true]);
  s = await seal.submitUnsealKey(keys[2]);
  assert.deepEqual(s, { type: 'shamir', initialized: true, sealed: false, t: 3, n: 5, progress: 0, nonce: '', term: 1 });
  assert.equal(seal.isSealed(), false);
  await seal.barrier.put('x', bytes('y'));
  // Submitting while unsealed changes nothing.
  assert.equal((await seal.submitUnsealKey(keys[0])).sealed, false);

  // Any other 3 shares unseal too, and the combined key is the unseal key.
  await seal.seal();
  assert.equal((await seal.status()).sealed, true);
  const again = createSealManager({ physical, clock: manualClock(0) });
  await again.unsealWithKey(await combine([keys[0], keys[3], keys[1]]));
  assert.equal(text(await again.barrier.get('x')), 'y');
});

test('wrong shares fail cleanly and reset progress; a new attempt then succeeds', async () => {
  const { seal } = newManager();
  const { keys } = await seal.initialize({ secretShares: 5, secretThreshold: 3 });
  const { keys: foreign } = await newManager().seal.initialize({ secretShares: 5, secretThreshold: 3 });
  await seal.submitUnsealKey(keys[0]);
  await seal.submitUnsealKey(keys[1]);
  // A share's last byte is its x coordinate, random per split: take a foreign share whose x differs
  // from both submitted ones (a clash is a different failure, tested below).
  const xOf = (share: Uint8Array) => share[share.length - 1];
  const stranger = foreign.find((f) => xOf(f) !== xOf(keys[0]) && xOf(f) !== xOf(keys[1]))!;
  await assert.rejects(seal.submitUnsealKey(stranger), {
    name: 'SealtrailError',
    kind: 'invalid',
    code: 'unseal_failed',
    message: 'failed to decrypt keys from storage: cipher: message authentication failed',
  });
  assert.deepEqual(await seal.status(), { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '', term: 0 });

  // Same x coordinate as a real share but different bytes: the library cannot combine them.
  const clash = Uint8Array.from(keys[0]);
  clash[0] ^= 0xff;
  await seal.submitUnsealKey(keys[0]);
  await seal.submitUnsealKey(keys[1]);
  await assert.rejects(seal.submitUnsealKey(clash), { kind: 'invalid', code: 'unseal_failed' });
  assert.equal((await seal.status()).progress, 0);

  await assert.rejects(seal.submitUnsealKey(new Uint8Array(32)), { kind: 'invalid', code: 'invalid_unseal_key', message: 'unseal key share must be 33 bytes' });
  await assert.rejects(seal.unsealWithKey(new Uint8Array(32)), { code: 'unseal_failed' });

  for (const i of [2, 3, 4]) await seal.submitUnsealKey(keys[i]);
  assert.equal(seal.isSealed(), false);
});

test('reset discards progress and the next attempt gets a new nonce', async () => {
  const { seal } = newManager();
  const { keys } = await seal.initialize({ secretShares: 3, secretThreshold: 2 });
  const first = (await seal.submitUnsealKey(keys[0])).nonce;
  const afterReset = await seal.submitUnsealKey(keys[1], { reset: true });
  assert.deepEqual([afterReset.progress, afterReset.nonce, afterReset.sealed], [0, '', true]);
  const second = (await seal.submitUnsealKey(keys[1])).nonce;
  assert.match(second, UUID);
  assert.notEqual(second, first);
  assert.equal((await seal.submitUnsealKey(keys[2])).sealed, false);
});

test('one share: the share is the unseal key', async () => {
  const { seal, physical } = newManager();
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  assert.equal(keys[0].length, 32);
  await assert.rejects(seal.submitUnsealKey(new Uint8Array(32)), { code: 'unseal_failed' });
  assert.equal((await seal.submitUnsealKey(keys[0])).sealed, false);
  const viaKey = createSealManager({ physical, clock: manualClock(0) });
  await viaKey.unsealWithKey(keys[0]);
  assert.equal(viaKey.isSealed(), false);
});

test('keyring wipe zeroes its raw keys and forgets them', async () => {
  const ring = new Keyring();
  const raw = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  ring.add(1, raw, 0);
  assert.equal(ring.activeTerm, 1);
  ring.wipe();
  assert.deepEqual(raw, new Uint8Array(32));
  assert.equal(ring.keyFor(1), undefined);
  assert.equal(ring.activeTerm, 0);
});

test('keyring serialization round-trips terms and install times', () => {
  const ring = new Keyring();
  ring.add(1, new Uint8Array(32).fill(1), 1000);
  ring.add(2, new Uint8Array(32).fill(2), 2000);
  const bytesOut = ring.serialize();
  assert.equal(Buffer.from(bytesOut.subarray(0, 9)).toString('hex'), '010000000200000002');
  const back = Keyring.deserialize(bytesOut);
  assert.equal(back.activeTerm, 2);
  assert.equal(back.activeEntry().installTimeMs, 2000);
  assert.deepEqual(back.serialize(), bytesOut);
  assert.throws(() => Keyring.deserialize(bytesOut.subarray(0, 20)), /length/);
});

test('rekey: another node sealed on the same storage unseals with the new shares and threshold, and keeps reading the keyring', async () => {
  const physical = createMemoryStorage();
  const { seal: active } = newManager(physical);
  const { keys: oldKeys } = await active.initialize({ secretShares: 3, secretThreshold: 2 });
  for (const k of oldKeys.slice(0, 2)) await active.submitUnsealKey(k);
  await active.barrier.put('app/value', bytes('before the rekey'));
  // An HA peer: sealed, and it has shown its seal status (2 of 3) before the rekey.
  const peer = createSealManager({ physical, clock: manualClock(0) });
  assert.deepEqual([(await peer.status()).t, (await peer.status()).n], [2, 3]);

  const { nonce } = await active.startRekey({ secretShares: 5, secretThreshold: 4, requireVerification: false });
  await assert.rejects(active.submitRekeyKey(oldKeys[0], 'another'), { code: 'rekey_incorrect_nonce' });
  await active.submitRekeyKey(oldKeys[0], nonce);
  const done = await active.submitRekeyKey(oldKeys[2], nonce);
  assert.ok(done.complete && done.apply);
  const newKeys = done.keys;
  assert.equal(newKeys.length, 5);
  // Not in force until applied (once the answer handing out the new shares is recorded).
  assert.deepEqual([(await peer.status()).t, (await peer.status()).n], [2, 3]);
  await done.apply();
  assert.deepEqual(Buffer.from(await combine(newKeys.slice(1))).length, 32);

  // The peer reads the new configuration while sealed: three shares are not enough any more.
  assert.deepEqual([(await peer.status()).t, (await peer.status()).n], [4, 5]);
  for (const k of newKeys.slice(0, 3)) assert.equal((await peer.submitUnsealKey(k)).sealed, true);
  assert.equal((await peer.submitUnsealKey(newKeys[4])).sealed, false);
  // The root key is the same: the keyring and what it encrypts open as before.
  assert.equal(text(await peer.barrier.get('app/value')), 'before the rekey');
  await peer.reloadKeyring();
  await active.rotate();
  await peer.reloadKeyring();
  assert.equal(text(await peer.barrier.get('app/value')), 'before the rekey');
});

test('rekey needs the server unsealed, and sealing ends an attempt and wipes its shares', async () => {
  const { seal } = newManager();
  const { keys } = await seal.initialize({ secretShares: 3, secretThreshold: 2 });
  await assert.rejects(seal.startRekey({ secretShares: 1, secretThreshold: 1, requireVerification: false }), { code: 'sealed' });
  for (const k of keys.slice(0, 2)) await seal.submitUnsealKey(k);
  const { nonce } = await seal.startRekey({ secretShares: 1, secretThreshold: 1, requireVerification: true });
  await seal.submitRekeyKey(keys[0], nonce);
  assert.equal((await seal.rekeyStatus()).progress, 1);
  await seal.seal();
  await assert.rejects(seal.rekeyStatus(), { code: 'sealed' });
  for (const k of keys.slice(1, 3)) await seal.submitUnsealKey(k);
  assert.equal((await seal.rekeyStatus()).started, false);
  await assert.rejects(seal.submitRekeyKey(keys[0], nonce), { code: 'rekey_not_started' });
});

test('a completed rekey is in force only when applied; sealing or a new rekey before that voids it and keeps the old shares', async () => {
  const { seal } = newManager();
  const { keys } = await seal.initialize({ secretShares: 3, secretThreshold: 2 });
  const unsealWith = async (shares: Uint8Array[]) => { for (const k of shares) await seal.submitUnsealKey(k); };
  await unsealWith(keys.slice(0, 2));
  const run = async () => {
    const { nonce } = await seal.startRekey({ secretShares: 2, secretThreshold: 2, requireVerification: false });
    await seal.submitRekeyKey(keys[0], nonce);
    const done = await seal.submitRekeyKey(keys[1], nonce);
    assert.ok(done.complete && done.apply);
    return done.apply;
  };

  // Sealed before the answer was recorded: void, and the old shares open the server.
  const first = await run();
  assert.equal((await seal.rekeyStatus()).started, false);
  await seal.seal();
  await unsealWith(keys.slice(1, 3));
  await assert.rejects(first(), { code: 'rekey_superseded' });
  // A new rekey started meanwhile voids it too; the new one applies.
  const second = await run();
  const third = await run();
  await assert.rejects(second(), { code: 'rekey_superseded' });
  assert.equal((await seal.status()).n, 3);
  await third();
  assert.equal((await seal.status()).n, 2);
  await assert.rejects(third(), { code: 'rekey_superseded' });
});

/** A seal manager on fresh storage, initialized with one key share and unsealed. */
async function unsealedManager(limits: { maxEncryptions: number; persistEvery: number }) {
  const physical = createMemoryStorage();
  const seal = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  return { physical, seal, keys };
}

test('the barrier key is rotated when it has sealed its limit of values; the count survives a restart, raised by what a crash may lose', async () => {
  const limits = { maxEncryptions: 10, persistEvery: 4 };
  const { physical, seal, keys } = await unsealedManager(limits);
  assert.deepEqual({ ...(await seal.keyStatus()), installTimeMs: 0 }, { term: 1, installTimeMs: 0, encryptions: 0 });
  for (let i = 0; i < 9; i++) await seal.barrier.put(`v/${i}`, bytes(`value ${i}`));
  assert.deepEqual([(await seal.keyStatus()).term, (await seal.keyStatus()).encryptions], [1, 9]);
  // Written every 4: the record says 8.
  assert.deepEqual(JSON.parse(text(await physical.get('core/keyring-usage'))!), { term: 1, encryptions: 8 });
  await seal.barrier.transaction([{ op: 'put', key: 'v/9', value: bytes('value 9') }]);
  // The 10th value reached the limit: a new term, counted from 0, written with the keyring. (The
  // rotation is queued with the seal's other operations: one queued after it waits for it.)
  await seal.rekeyStatus();
  assert.deepEqual([(await seal.keyStatus()).term, (await seal.keyStatus()).encryptions], [2, 0]);
  assert.deepEqual(JSON.parse(text(await physical.get('core/keyring-usage'))!), { term: 2, encryptions: 0 });
  for (let i = 0; i < 10; i++) assert.equal(text(await seal.barrier.get(`v/${i}`)), `value ${i}`);

  // Three more values, then a restart: the count read back is what was written plus what may be lost.
  for (let i = 0; i < 3; i++) await seal.barrier.put(`w/${i}`, bytes('w'));
  const restarted = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await restarted.submitUnsealKey(keys[0]);
  assert.deepEqual([(await restarted.keyStatus()).term, (await restarted.keyStatus()).encryptions], [2, 0 + 4]);
  // Sealing writes the exact count, marked as a seal's.
  await seal.seal();
  assert.deepEqual(JSON.parse(text(await physical.get('core/keyring-usage'))!), { term: 2, encryptions: 3, sealed: true });
});

test('a clean seal keeps the exact count: seal and unseal cycles add nothing, and a crash after an unseal is padded again', async () => {
  const limits = { maxEncryptions: 1000, persistEvery: 100 };
  const { physical, seal, keys } = await unsealedManager(limits);
  for (let i = 0; i < 3; i++) await seal.barrier.put(`v/${i}`, bytes('v'));
  for (let cycle = 0; cycle < 5; cycle++) {
    await seal.seal();
    assert.deepEqual(JSON.parse(text(await physical.get('core/keyring-usage'))!), { term: 1, encryptions: 3, sealed: true });
    await seal.submitUnsealKey(keys[0]);
    assert.equal((await seal.keyStatus()).encryptions, 3, `cycle ${cycle}`);
    // Unmarked before anything is sealed under the key.
    assert.deepEqual(JSON.parse(text(await physical.get('core/keyring-usage'))!), { term: 1, encryptions: 3 });
  }
  // Two more values, then a crash (a second process on the same storage): padded as after any crash.
  for (let i = 0; i < 2; i++) await seal.barrier.put(`w/${i}`, bytes('w'));
  const restarted = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await restarted.submitUnsealKey(keys[0]);
  assert.equal((await restarted.keyStatus()).encryptions, 3 + 100);
});

test('an unreadable key usage record counts as the limit: the next write rotates the key', async () => {
  const physical = createMemoryStorage();
  const limits = { maxEncryptions: 1000, persistEvery: 100 };
  const first = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  const { keys } = await first.initialize({ secretShares: 1, secretThreshold: 1 });
  await physical.put('core/keyring-usage', bytes('{not json'));
  const seal = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await seal.submitUnsealKey(keys[0]);
  assert.equal((await seal.keyStatus()).encryptions, 1000);
  await seal.barrier.put('a', bytes('a'));
  await seal.rekeyStatus();
  assert.deepEqual([(await seal.keyStatus()).term, (await seal.keyStatus()).encryptions], [2, 0]);
  assert.equal(text(await seal.barrier.get('a')), 'a');
});

test('rotation configuration: an interval rotates the key on the first write past it; disabled, the limit only counts; it is stored', async () => {
  const physical = createMemoryStorage();
  const clock = manualClock(1_000_000);
  const limits = { maxEncryptions: 5, persistEvery: 100 };
  const seal = createSealManager({ physical, clock, keyUsage: limits });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  assert.deepEqual(await seal.rotationConfig(), { maxOperations: 3_865_470_566, intervalMs: 0, enabled: true });
  const day = 24 * 3600 * 1000;
  await seal.setRotationConfig({ maxOperations: 3_865_470_566, intervalMs: day, enabled: true });
  await seal.barrier.put('a', bytes('1'));
  clock.advance(day - 1);
  await seal.barrier.put('a', bytes('2'));
  await seal.rekeyStatus();
  assert.equal((await seal.keyStatus()).term, 1);
  clock.advance(1);
  await seal.barrier.put('a', bytes('3'));
  await seal.rekeyStatus();
  assert.deepEqual([(await seal.keyStatus()).term, (await seal.keyStatus()).installTimeMs], [2, 1_000_000 + day]);

  // Disabled: counted past the limit, never rotated by itself.
  await seal.setRotationConfig({ maxOperations: 3_865_470_566, intervalMs: 0, enabled: false });
  for (let i = 0; i < 8; i++) await seal.barrier.put(`b/${i}`, bytes('x'));
  await seal.rekeyStatus();
  assert.deepEqual([(await seal.keyStatus()).term, (await seal.keyStatus()).encryptions], [2, 8]);

  // Stored: another node on the storage reads it at unseal.
  const other = createSealManager({ physical, clock, keyUsage: limits });
  await other.submitUnsealKey(keys[0]);
  assert.deepEqual(await other.rotationConfig(), { maxOperations: 3_865_470_566, intervalMs: 0, enabled: false });
  await seal.seal();
  await assert.rejects(seal.rotationConfig(), { code: 'sealed' });
});

test('an HA standby that becomes active reads the seal configuration another node rekeyed', async () => {
  const { physical, seal: active } = newManager();
  const { keys } = await active.initialize({ secretShares: 3, secretThreshold: 2 });
  for (const k of keys.slice(0, 2)) await active.submitUnsealKey(k);
  const standby = createSealManager({ physical, clock: manualClock(0) });
  for (const k of keys.slice(0, 2)) await standby.submitUnsealKey(k);
  assert.equal((await standby.status()).n, 3);
  // The active node rekeys to 5 shares, threshold 3.
  const { nonce } = await active.startRekey({ secretShares: 5, secretThreshold: 3, requireVerification: false });
  await active.submitRekeyKey(keys[0], nonce);
  const done = await active.submitRekeyKey(keys[1], nonce);
  assert.ok(done.complete && done.apply);
  await done.apply();
  // The standby takes over.
  await standby.reloadKeyring();
  const status = await standby.status();
  assert.deepEqual([status.n, status.t], [5, 3]);
  assert.equal((await standby.startRekey({ secretShares: 1, secretThreshold: 1, requireVerification: false })).required, 3, 'a new rekey asks for the new threshold of shares');
});

test('crash after crash: the count never falls below the values sealed, however often the server restarts', async () => {
  const limits = { maxEncryptions: 1000, persistEvery: 4 };
  const { physical, seal, keys } = await unsealedManager(limits);
  let sealedValues = 0;
  for (; sealedValues < 4; sealedValues++) await seal.barrier.put(`v/${sealedValues}`, bytes('v'));
  // Each process seals three values (fewer than a write's step), then dies without sealing.
  for (let crash = 0; crash < 5; crash++) {
    const next = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
    await next.submitUnsealKey(keys[0]);
    assert.ok((await next.keyStatus()).encryptions >= sealedValues, `restart ${crash}: ${(await next.keyStatus()).encryptions} < ${sealedValues}`);
    for (let i = 0; i < 3; i++, sealedValues++) await next.barrier.put(`v/${sealedValues}`, bytes('v'));
  }
  const last = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await last.submitUnsealKey(keys[0]);
  assert.ok((await last.keyStatus()).encryptions >= sealedValues, `${(await last.keyStatus()).encryptions} < ${sealedValues}`);
});

test('a count write that fails is tried again at the next value, not a whole step later', async () => {
  const limits = { maxEncryptions: 1000, persistEvery: 4 };
  const physical = createMemoryStorage();
  let failUsageWrites = 0;
  const flaky = {
    ...physical,
    put: async (key: string, value: Uint8Array) => {
      if (key === 'core/keyring-usage' && failUsageWrites > 0) {
        failUsageWrites--;
        throw new Error('disk full');
      }
      return physical.put(key, value);
    },
  };
  const errors: string[] = [];
  const seal = createSealManager({ physical: flaky, clock: manualClock(0), keyUsage: limits, onKeyUsageError: (_err, what) => errors.push(what) });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  failUsageWrites = 1;
  for (let i = 0; i < 7; i++) await seal.barrier.put(`v/${i}`, bytes('v'));
  await seal.rekeyStatus();
  assert.deepEqual(errors, ['the barrier key usage count could not be written']);
  // A crash now: the record must cover the seven values sealed.
  const restarted = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await restarted.submitUnsealKey(keys[0]);
  assert.ok((await restarted.keyStatus()).encryptions >= 7, `${(await restarted.keyStatus()).encryptions} < 7`);
});

test('count writes land in order: a slow one is never overwritten by an older count, nor left behind by the values sealed meanwhile', async () => {
  const limits = { maxEncryptions: 1000, persistEvery: 2 };
  const physical = createMemoryStorage();
  let hold: Promise<void> | undefined;
  let release = () => undefined as void;
  const slow = {
    ...physical,
    put: async (key: string, value: Uint8Array) => {
      if (key === 'core/keyring-usage' && hold) {
        const held = hold;
        hold = undefined;
        await held;
      }
      return physical.put(key, value);
    },
  };
  const seal = createSealManager({ physical: slow, clock: manualClock(0), keyUsage: limits });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  hold = new Promise<void>((resolve) => { release = resolve; });
  // The count write at 2 is held back while three more values are sealed.
  for (let i = 0; i < 5; i++) await seal.barrier.put(`v/${i}`, bytes('v'));
  release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  const restarted = createSealManager({ physical, clock: manualClock(0), keyUsage: limits });
  await restarted.submitUnsealKey(keys[0]);
  assert.ok((await restarted.keyStatus()).encryptions >= 5, `${(await restarted.keyStatus()).encryptions} < 5`);
});

test('init can unseal with the key it made, leaving the public unseal progress alone', async () => {
  const { seal } = newManager();
  const { keys } = await seal.initialize({ secretShares: 5, secretThreshold: 3, unseal: true });
  assert.equal(seal.isSealed(), false, 'unsealed by the init itself, not by shares anyone could interleave with');
  assert.equal((await seal.status()).progress, 0);
  await seal.seal();
  for (const k of keys.slice(0, 3)) await seal.submitUnsealKey(k);
  assert.equal(seal.isSealed(), false, 'and the shares it returned unseal');
});

test('a standby\'s unseal, whose count write the HA storage refuses (ha_not_active), reports no error; the active node writes the count', async () => {
  const physical = createMemoryStorage();
  let standby = false;
  const ha = {
    ...physical,
    put: async (key: string, value: Uint8Array) => {
      if (standby) throw new SealtrailError('unavailable', 'ha_not_active', 'this node is not the active node: the write was refused');
      return physical.put(key, value);
    },
  };
  const errors: string[] = [];
  const seal = createSealManager({ physical: ha, clock: manualClock(0), onKeyUsageError: (_err, what) => errors.push(what) });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  standby = true;
  await seal.submitUnsealKey(keys[0]);
  assert.equal((await seal.status()).sealed, false);
  assert.deepEqual(errors, []);
  standby = false;
  await seal.reloadKeyring();
  assert.deepEqual(errors, []);
  assert.ok(await physical.get('core/keyring-usage'));
});
