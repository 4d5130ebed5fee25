import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainIdForMount, recordCapsuleMountTune } from '../../../src/secrets/capsule/index.js';
import { harness, mount, REQUEST_ID, T0 } from './helpers.js';

const DOMAIN = domainIdForMount(mount.uuid);
const keyVersionOf = (capsule: string) => {
  const bytes = Buffer.from(capsule, 'base64');
  // magic(5) version(1) len(1) domain len(1) id, then the u32 key version
  const domainLen = bytes[6];
  const idLen = bytes[7 + domainLen];
  return bytes.readUInt32BE(8 + domainLen + idLen);
};

test('key rotation: old capsules still load, new ones use the new key, rotation is in the control log', async () => {
  const h = await harness();
  const old = await h.data('update', 'encapsulate', { data: 'before rotation' });
  assert.equal(old.key_version, 1);
  assert.equal(keyVersionOf(old.capsule as string), 1);

  h.clock.advance(5000);
  assert.deepEqual(await h.data('update', 'keys/rotate'), {
    domain: DOMAIN,
    latest_version: 2,
    versions: { '1': { created_time: T0 }, '2': { created_time: '2024-03-21T03:20:37Z' } },
  });
  const fresh = await h.data('update', 'encapsulate', { data: 'after rotation' });
  assert.equal(fresh.key_version, 2);
  assert.equal(keyVersionOf(fresh.capsule as string), 2);

  assert.equal((await h.data('update', 'load', { read_context: 'default', capsule: old.capsule })).data, 'before rotation');
  assert.equal((await h.data('update', 'load', { read_context: 'default', capsule: fresh.capsule })).data, 'after rotation');
  // Rotation never touched the old capsule: the same bytes load.
  assert.equal(keyVersionOf(old.capsule as string), 1);

  const [rotation] = await h.controlLog();
  assert.deepEqual(rotation, {
    id: rotation.id, time: '2024-03-21T03:20:37Z', request_id: REQUEST_ID, session: await h.backend.sessionId('acc-app-1'), url: '/v1/capsule/keys/rotate',
    summary: 'Rotated domain key', description: { method: 'POST', domain: DOMAIN, new_key_version: 2 },
  });
  // Versions and dates only, never key material.
  assert.deepEqual(await h.data('read', 'keys'), {
    domain: DOMAIN,
    latest_version: 2,
    versions: { '1': { created_time: T0 }, '2': { created_time: '2024-03-21T03:20:37Z' } },
  });
});

test('a mount tune is recorded in the control log through the hook', async () => {
  const h = await harness();
  const record = await recordCapsuleMountTune(h.backend, { session: 'acc-root', url: '/v1/sys/mounts/capsule/tune', description: { default_lease_ttl: 60 } });
  const [logged] = await h.controlLog();
  assert.deepEqual(logged, record);
  assert.deepEqual(logged, {
    id: record.id, time: T0, session: await h.backend.sessionId('acc-root'), url: '/v1/sys/mounts/capsule/tune', summary: 'Tuned mount',
    description: { method: 'POST', default_lease_ttl: 60 },
  });
});
