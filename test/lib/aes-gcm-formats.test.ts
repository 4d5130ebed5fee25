// The barrier, the KMS and capsules seal through lib/aes-gcm.ts. Each format is opened here by
// hand, from its documented layout, both with raw node:crypto (so the bytes on disk and on the wire
// are what they always were) and with the shared primitive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { gcmOpen, gcmSeal } from '../../src/lib/aes-gcm.js';
import { openValue, sealValue } from '../../src/storage/barrier/aead.js';
import { openBlob, parseBlob, sealBlob } from '../../src/kms/crypto/aead.js';
import { canonicalContext } from '../../src/kms/crypto/encryption-context.js';
import { openCapsule, parseCapsule, sealCapsule } from '../../src/secrets/capsule/format.js';

/** Plain node:crypto, independent of the primitive under test. */
function rawOpen(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ciphertext), d.final()]);
}

test('barrier values: [1][term][nonce][ciphertext][tag], the storage key as additional data', () => {
  const raw = randomBytes(32);
  const aad = Buffer.from('core/some/key');
  const sealed = sealValue(createSecretKey(raw), 7, Buffer.from('barrier plaintext'), aad);
  assert.equal(sealed[0], 1);
  assert.equal(sealed.readUInt32BE(1), 7);
  const nonce = sealed.subarray(5, 17);
  const ciphertext = sealed.subarray(17, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);
  assert.equal(rawOpen(raw, nonce, ciphertext, tag, aad).toString(), 'barrier plaintext');
  assert.equal(gcmOpen(raw, nonce, ciphertext, tag, aad)?.toString(), 'barrier plaintext');
  // And a value built by hand with the primitive opens through the barrier.
  const n2 = randomBytes(12);
  const built = gcmSeal(raw, n2, Buffer.from('by hand'), aad);
  const header = Buffer.from([1, 0, 0, 0, 9]);
  const opened = openValue(createSecretKey(raw), Buffer.concat([header, n2, built.ciphertext, built.tag]), aad);
  assert.deepEqual(opened.ok && opened.plaintext.toString(), 'by hand');
  assert.deepEqual(openValue(createSecretKey(raw), sealed, Buffer.from('core/other')), { ok: false, reason: 'auth' });
});

test('KMS blobs: header, key nonce, IV, ciphertext, tag; the message key from the material (SP 800-108); header and canonical context as additional data', () => {
  const material = randomBytes(32);
  const keyId = randomUUID();
  const context = { purpose: 'test', app: 'sealtrail' };
  const blob = sealBlob({ keyId, materialVersion: 3, material, plaintext: Buffer.from('kms plaintext'), context });
  const header = blob.subarray(0, 41);
  assert.equal(header[0], 2);
  assert.equal(header.subarray(1, 37).toString('ascii'), keyId);
  assert.equal(header.readUInt32BE(37), 3);
  const keyNonce = blob.subarray(41, 57);
  const iv = blob.subarray(57, 69);
  const ciphertext = blob.subarray(69, blob.length - 16);
  const tag = blob.subarray(blob.length - 16);
  const aad = Buffer.concat([header, canonicalContext(context)]);
  // HMAC-SHA256(material, [1]_32 ‖ label ‖ 0x00 ‖ header ‖ key nonce ‖ [256]_32).
  const messageKey = createHmac('sha256', material)
    .update(Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('sealtrail/kms/message-key', 'ascii'), Buffer.from([0]), header, keyNonce, Buffer.from([0, 0, 1, 0])]))
    .digest();
  assert.equal(rawOpen(messageKey, iv, ciphertext, tag, aad).toString(), 'kms plaintext');
  assert.equal(gcmOpen(messageKey, iv, ciphertext, tag, aad)?.toString(), 'kms plaintext');
  const parts = parseBlob(blob);
  assert.ok(parts);
  assert.equal(openBlob(parts, material, context)?.toString(), 'kms plaintext');
  assert.equal(openBlob(parts, material, { purpose: 'other' }), undefined);

  // A version 1 blob, built by hand under the material itself, opens through the KMS.
  const v1Header = Buffer.concat([Buffer.from([1]), Buffer.from(keyId, 'ascii'), Buffer.from([0, 0, 0, 3])]);
  const v1Iv = randomBytes(12);
  const built = gcmSeal(material, v1Iv, Buffer.from('older blob'), Buffer.concat([v1Header, canonicalContext(context)]));
  const v1 = parseBlob(Buffer.concat([v1Header, v1Iv, built.ciphertext, built.tag]));
  assert.ok(v1);
  assert.equal(openBlob(v1, material, context)?.toString(), 'older blob');
});

test('capsules: the wrapped data key and the body each open by their documented additional data', () => {
  const domainKey = randomBytes(32);
  const h = { domain: 'dm-abc', capsuleId: 'ca-xyz', keyVersion: 2 };
  const bytes = sealCapsule(h, domainKey, Buffer.from('capsule body'));
  const parsed = parseCapsule(bytes);
  const { wrappedKey } = parsed;
  const keyAad = Buffer.from('dm-abc\0ca-xyz\x002', 'utf8');
  const wrappedBody = wrappedKey.subarray(12);
  const dataKey = rawOpen(domainKey, wrappedKey.subarray(0, 12), wrappedBody.subarray(0, wrappedBody.length - 16), wrappedBody.subarray(wrappedBody.length - 16), keyAad);
  assert.equal(dataKey.length, 32);
  const body = parsed.sealedBody;
  const split = body.length - 16;
  assert.equal(rawOpen(dataKey, parsed.bodyIv, body.subarray(0, split), body.subarray(split), parsed.aad).toString(), 'capsule body');
  assert.equal(gcmOpen(dataKey, parsed.bodyIv, body.subarray(0, split), body.subarray(split), parsed.aad)?.toString(), 'capsule body');
  assert.equal(openCapsule(parsed, domainKey).toString(), 'capsule body');
});

test('a capsule whose wrapped key is shorter than a nonce is an integrity failure, not a crash', () => {
  const domainKey = randomBytes(32);
  const bytes = sealCapsule({ domain: 'dm-abc', capsuleId: 'ca-xyz', keyVersion: 1 }, domainKey, Buffer.from('x'));
  const parsed = parseCapsule(bytes);
  const short = { ...parsed, wrappedKey: parsed.wrappedKey.subarray(0, 5) };
  assert.throws(() => openCapsule(short, domainKey), (err: Error & { code?: string }) => err.code === 'capsule_integrity');
});
