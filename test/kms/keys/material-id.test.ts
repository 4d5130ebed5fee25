import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { keyMaterialId } from '../../../src/kms/keys/material-id.js';
import type { KeyMaterial } from '../../../src/kms/keys/model.js';

const material = (fill: number): KeyMaterial => ({ version: 1, key: Buffer.alloc(32, fill).toString('base64'), createdAt: 0 });
const expected = (keyId: string, m: KeyMaterial) =>
  createHmac('sha256', Buffer.from(m.key, 'base64')).update(`sealtrail key material id\0${keyId}`).digest('hex');

test('the material id is an HMAC keyed with the material over the key id, the same on every call', () => {
  const m = material(1);
  const first = keyMaterialId('key-a', m);
  assert.match(first, /^[0-9a-f]{64}$/);
  assert.equal(first, expected('key-a', m));
  assert.equal(keyMaterialId('key-a', m), first);
});

test('a remembered id never answers for another key id or other material', () => {
  const m = material(2);
  const a = keyMaterialId('key-a', m);
  assert.equal(keyMaterialId('key-b', m), expected('key-b', m));
  assert.notEqual(expected('key-b', m), a);
  // Equal bytes in another object name the same material; other bytes another one.
  assert.equal(keyMaterialId('key-a', material(2)), a);
  assert.notEqual(keyMaterialId('key-a', material(3)), a);
});
