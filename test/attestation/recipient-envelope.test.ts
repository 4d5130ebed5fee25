/**
 * Envelopes for an enclave's key (attestation/recipient-envelope.ts): what opens them, what a
 * document's public key must be to receive one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeForRecipient, openEnvelope, recipientPublicKey } from '../../src/attestation/recipient-envelope.js';

const rsa = (modulusLength = 2048, publicExponent = 65537) => generateKeyPairSync('rsa', { modulusLength, publicExponent });
const spki = (key: { export(o: { type: 'spki'; format: 'der' }): Buffer }) => key.export({ type: 'spki', format: 'der' });

test('an envelope opens with its private key, and with no other; altered or foreign bytes do not open', () => {
  const { publicKey, privateKey } = rsa();
  const secret = Buffer.from('hvs.CAESIJ-example-token');
  const envelope = envelopeForRecipient(publicKey, secret);
  assert.deepEqual(openEnvelope(privateKey, envelope), secret);
  assert.equal(openEnvelope(rsa().privateKey, envelope), undefined, 'another key');
  const altered = Buffer.from(envelope);
  altered[altered.length - 5] ^= 1;
  assert.notDeepEqual(openEnvelope(privateKey, altered) ?? Buffer.alloc(0), secret, 'altered ciphertext');
  for (const junk of [Buffer.alloc(0), randomBytes(300), envelope.subarray(0, 100), Buffer.concat([envelope, Buffer.from([0])])]) {
    assert.equal(openEnvelope(privateKey, junk), undefined);
  }
});

test("openssl's own CMS envelope for the key (OAEP-SHA256, AES-256-CBC, key identifier) opens too", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-envelope-'));
  try {
    const { privateKey } = rsa();
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['req', '-new', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=enclave', '-days', '1', '-out', join(dir, 'cert.pem')]);
    writeFileSync(join(dir, 'in.bin'), 'a token for the enclave');
    execFileSync('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-keyid', '-recip', join(dir, 'cert.pem'), '-keyopt', 'rsa_padding_mode:oaep',
      '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256', '-in', join(dir, 'in.bin'), '-outform', 'DER', '-out', join(dir, 'env.der')]);
    assert.equal(openEnvelope(privateKey, readFileSync(join(dir, 'env.der')))?.toString(), 'a token for the enclave');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a public key receives envelopes only as an RSA key of 2048 bits or more with a small odd exponent', () => {
  assert.equal(recipientPublicKey(spki(rsa().publicKey)).ok, true);
  assert.equal(recipientPublicKey(spki(rsa(2048, 3).publicKey)).ok, true);
  const refused = (der: Uint8Array) => {
    const r = recipientPublicKey(der);
    assert.equal(r.ok, false);
    return r.ok ? '' : r.message;
  };
  assert.match(refused(spki(rsa(1024).publicKey)), /RSA key of at least 2048 bits/);
  assert.match(refused(spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)), /RSA key/);
  assert.match(refused(spki(rsa(2048, 2 ** 31 + 1).publicKey)), /odd public exponent/);
  assert.match(refused(randomBytes(64)), /not a DER-encoded SubjectPublicKeyInfo/);
});
