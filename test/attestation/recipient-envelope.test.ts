/**
 * Envelopes for an enclave's key (attestation/recipient-envelope.ts): what opens them, what a
 * document's public key must be to receive one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeForRecipient, openEnvelope, recipientPublicKey } from '../../src/attestation/recipient-envelope.js';
import { children, expectTag, parseDer } from '../../src/lib/der-reader.js';

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

/**
 * The steps by which the AWS Nitro Enclaves SDK (aws-nitro-enclaves-sdk-c, `aws_cms_parse_enveloped_data`,
 * used by kmstool) reads CiphertextForRecipient, on BoringSSL's CBS rules: "any BER element"
 * takes only the header of an indefinite-length value and the whole of a definite one, "asn1"
 * reads a definite-length value. It walks into ContentInfo, [0], EnvelopedData and
 * EncryptedContentInfo by their headers, so it reads only AWS KMS's indefinite-length layout.
 */
function sdkParse(envelope: Buffer): { encryptedKey: Buffer; iv: Buffer; ciphertext: Buffer } {
  let at = 0;
  const header = () => {
    const tag = envelope[at];
    const first = envelope[at + 1];
    if (first === 0x80) return { tag, length: undefined, size: 2 };
    if (first < 0x80) return { tag, length: first, size: 2 };
    let length = 0;
    for (let k = 0; k < (first & 0x7f); k++) length = length * 256 + envelope[at + 2 + k];
    return { tag, length, size: 2 + (first & 0x7f) };
  };
  const anyBer = () => {
    const h = header();
    const whole = h.length === undefined ? h.size : h.size + h.length;
    const element = envelope.subarray(at, at + whole);
    at += whole;
    return { tag: h.tag, element, size: h.size };
  };
  const asn1 = (tag: number) => {
    const h = header();
    assert.equal(h.tag, tag, `tag at ${at}`);
    assert.notEqual(h.length, undefined, `definite length at ${at}`);
    const content = envelope.subarray(at + h.size, at + h.size + h.length!);
    at += h.size + h.length!;
    return content;
  };
  assert.equal(anyBer().tag, 0x30, 'ContentInfo');
  asn1(0x06);
  anyBer(); // [0]
  assert.equal(anyBer().tag, 0x30, 'EnvelopedData');
  assert.deepEqual(asn1(0x02), Buffer.from([2]), 'EnvelopedData version');
  const set = anyBer();
  assert.equal(set.tag, 0x31, 'recipientInfos');
  const info = children(expectTag(children(parseDer(set.element))[0], 0x30, 'KeyTransRecipientInfo'));
  const encryptedKey = Buffer.from(expectTag(info[3], 0x04, 'encryptedKey').content);
  assert.equal(anyBer().tag, 0x30, 'EncryptedContentInfo');
  asn1(0x06);
  const algorithm = anyBer();
  assert.equal(algorithm.tag, 0x30, 'contentEncryptionAlgorithm');
  const iv = Buffer.from(children(parseDer(algorithm.element))[1].content);
  anyBer(); // [0] encryptedContent
  const parts: Buffer[] = [];
  while (at < envelope.length && envelope[at] === 0x04) parts.push(Buffer.from(asn1(0x04)));
  return { encryptedKey, iv, ciphertext: Buffer.concat(parts) };
}

test('an envelope is laid out as AWS KMS sends it, so the Nitro Enclaves SDK (kmstool) opens it', () => {
  const { publicKey, privateKey } = rsa();
  for (const size of [1, 32, 999, 1000, 1001, 4096]) {
    const secret = randomBytes(size);
    const { encryptedKey, iv, ciphertext } = sdkParse(envelopeForRecipient(publicKey, secret));
    const contentKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, encryptedKey);
    const decipher = createDecipheriv('aes-256-cbc', contentKey, iv);
    assert.deepEqual(Buffer.concat([decipher.update(ciphertext), decipher.final()]), secret, `${size} bytes`);
  }
});
