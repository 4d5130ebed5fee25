import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMaterial, openBlob, parseBlob, sealBlob } from '../../src/kms/crypto/aead.js';
import { HEADER_LENGTH } from '../../src/kms/crypto/ciphertext.js';
import { canonicalContext } from '../../src/kms/crypto/encryption-context.js';
import { envelopeForRecipient } from '../../src/kms/recipient/cms.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

test('ciphertext blob: layout, round trip, context binding and tamper detection', () => {
  const material = newMaterial();
  const plaintext = Buffer.from('attack at dawn');
  const blob = sealBlob({ keyId: KEY_ID, materialVersion: 7, material, plaintext, context: { b: '2', a: '1' } });
  assert.equal(blob.length, HEADER_LENGTH + 12 + plaintext.length + 16);
  assert.equal(blob[0], 0x01);
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
  for (const at of [0, 5, 38, HEADER_LENGTH + 3, blob.length - 20, blob.length - 1]) {
    const t = Buffer.from(blob);
    t[at] ^= 0x01;
    const p = parseBlob(t);
    assert.equal(p ? openBlob(p, material, { a: '1', b: '2' }) : undefined, undefined, `byte ${at}`);
  }
  assert.equal(parseBlob(blob.subarray(0, 40)), undefined);
  assert.equal(canonicalContext({ b: '2', a: '1' }).toString(), '[["a","1"],["b","2"]]');
  assert.equal(canonicalContext({}).length, 0);
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
