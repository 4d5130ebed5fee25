import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageKey, newMaterial, openBlob, parseBlob, sealBlob } from '../../src/kms/crypto/aead.js';
import { HEADER_LENGTH, KEY_NONCE_LENGTH } from '../../src/kms/crypto/ciphertext.js';
import { gcmSeal } from '../../src/lib/aes-gcm.js';
import { canonicalContext } from '../../src/kms/crypto/encryption-context.js';
import { envelopeForRecipient } from '../../src/attestation/recipient-envelope.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

test('ciphertext blob: layout, round trip, context binding and tamper detection', () => {
  const material = newMaterial();
  const plaintext = Buffer.from('attack at dawn');
  const blob = sealBlob({ keyId: KEY_ID, materialVersion: 7, material, plaintext, context: { b: '2', a: '1' } });
  assert.equal(blob.length, HEADER_LENGTH + KEY_NONCE_LENGTH + 12 + plaintext.length + 16);
  assert.equal(blob[0], 0x02);
  assert.equal(blob.subarray(1, 37).toString('ascii'), KEY_ID);
  assert.equal(blob.readUInt32BE(37), 7);
  const parts = parseBlob(blob)!;
  assert.equal(parts.keyId, KEY_ID);
  assert.equal(parts.materialVersion, 7);
  // Context order does not matter; its content does.
  assert.deepEqual(openBlob(parts, material, { a: '1', b: '2' }), plaintext);
  assert.equal(openBlob(parts, material, { a: '1' }), undefined);
  assert.equal(openBlob(parts, material, undefined), undefined);
  assert.equal(openBlob(parts, newMaterial(), { a: '1', b: '2' }), undefined);
  // Every part counts: header, key nonce, IV, ciphertext, tag.
  for (const at of [0, 5, 38, HEADER_LENGTH + 3, HEADER_LENGTH + KEY_NONCE_LENGTH + 3, blob.length - 20, blob.length - 1]) {
    const t = Buffer.from(blob);
    t[at] ^= 0x01;
    const p = parseBlob(t);
    assert.equal(p ? openBlob(p, material, { a: '1', b: '2' }) : undefined, undefined, `byte ${at}`);
  }
  assert.equal(parseBlob(blob.subarray(0, 40)), undefined);
  assert.equal(canonicalContext({ b: '2', a: '1' }).toString(), '[["a","1"],["b","2"]]');
  assert.equal(canonicalContext({}).length, 0);
});

test('each blob is sealed under its own key derived from the material (SP 800-108, HMAC-SHA256), never the material; version 1 blobs still open', () => {
  const material = newMaterial();
  const plaintext = Buffer.from('one key per message');
  const context = { app: 'billing' };
  const a = parseBlob(sealBlob({ keyId: KEY_ID, materialVersion: 1, material, plaintext, context }))!;
  const b = parseBlob(sealBlob({ keyId: KEY_ID, materialVersion: 1, material, plaintext, context }))!;
  assert.notDeepEqual(a.keyNonce, b.keyNonce);
  // The message key is HMAC-SHA256(material, [1]_32 ‖ label ‖ 0x00 ‖ header ‖ key nonce ‖ [256]_32) …
  const expected = createHmac('sha256', material)
    .update(Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('sealtrail/kms/message-key'), Buffer.from([0]), a.header, a.keyNonce!, Buffer.from([0, 0, 1, 0])]))
    .digest();
  assert.deepEqual(messageKey(material, a.header, a.keyNonce!), expected);
  assert.notDeepEqual(messageKey(material, a.header, a.keyNonce!), messageKey(material, b.header, b.keyNonce!));
  // … and the material alone does not open the blob.
  assert.equal(openBlob({ ...a, keyNonce: undefined }, material, context), undefined);
  assert.deepEqual(openBlob(a, material, context), plaintext);

  // A version 1 blob: sealed under the material itself, without a key nonce.
  const header = Buffer.concat([Buffer.from([1]), Buffer.from(KEY_ID, 'ascii'), Buffer.from([0, 0, 0, 3])]);
  const iv = randomBytes(12);
  const { ciphertext, tag } = gcmSeal(material, iv, plaintext, Buffer.concat([header, Buffer.from('[["app","billing"]]')]));
  const legacy = parseBlob(Buffer.concat([header, iv, ciphertext, tag]))!;
  assert.deepEqual([legacy.keyId, legacy.materialVersion, legacy.keyNonce], [KEY_ID, 3, undefined]);
  assert.deepEqual(openBlob(legacy, material, context), plaintext);
  assert.equal(openBlob(legacy, material, { app: 'other' }), undefined);
  // Too short for its version, or an unknown version: not a ciphertext.
  assert.equal(parseBlob(Buffer.concat([Buffer.from([2]), header.subarray(1), iv, tag])), undefined);
  assert.equal(parseBlob(Buffer.concat([Buffer.from([3]), header.subarray(1), randomBytes(60)])), undefined);
});

test('CMS EnvelopedData for a recipient opens with `openssl cms -decrypt -inkey` alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cms-'));
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    for (const size of [1, 16, 32, 1024]) {
      const data = randomBytes(size);
      writeFileSync(join(dir, 'env.der'), envelopeForRecipient(publicKey, data));
      const out = execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(dir, 'env.der'), '-inkey', join(dir, 'key.pem')]);
      assert.deepEqual(out, data, `${size} bytes`);
    }
    const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'env.der')]).toString();
    for (const line of ['contentType: pkcs7-envelopedData', 'd.subjectKeyIdentifier', 'algorithm: rsaesOaep', 'algorithm: aes-256-cbc', 'contentType: pkcs7-data']) {
      assert.ok(printed.includes(line), line);
    }
    assert.match(printed, /d\.ktri: \n\s+version: 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
