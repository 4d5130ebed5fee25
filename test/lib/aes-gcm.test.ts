import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { gcmOpen, gcmSeal, randomNonce } from '../../src/lib/aes-gcm.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// The GCM specification's AES-256 test cases (McGrew & Viega, test cases 13, 14 and 16).
const VECTORS = [
  { name: 'case 13: empty plaintext', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { name: 'case 14: one zero block', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '', ct: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  {
    name: 'case 16: with additional data',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

for (const v of VECTORS) {
  test(`AES-256-GCM known answer, ${v.name}`, () => {
    for (const key of [hex(v.key), createSecretKey(hex(v.key))]) {
      const sealed = gcmSeal(key, hex(v.iv), hex(v.pt), hex(v.aad));
      assert.equal(sealed.ciphertext.toString('hex'), v.ct);
      assert.equal(sealed.tag.toString('hex'), v.tag);
      assert.equal(gcmOpen(key, hex(v.iv), hex(v.ct), hex(v.tag), hex(v.aad))?.toString('hex'), v.pt);
    }
  });
}

test('gcmOpen returns undefined for any altered part: key, nonce, ciphertext, tag, additional data', () => {
  const key = Buffer.alloc(32, 7);
  const nonce = randomNonce();
  const aad = Buffer.from('context');
  const { ciphertext, tag } = gcmSeal(key, nonce, Buffer.from('attack at dawn'), aad);
  assert.equal(gcmOpen(key, nonce, ciphertext, tag, aad)?.toString(), 'attack at dawn');
  const flip = (b: Buffer) => { const c = Buffer.from(b); c[0] ^= 1; return c; };
  assert.equal(gcmOpen(flip(key), nonce, ciphertext, tag, aad), undefined);
  assert.equal(gcmOpen(key, flip(nonce), ciphertext, tag, aad), undefined);
  assert.equal(gcmOpen(key, nonce, flip(ciphertext), tag, aad), undefined);
  assert.equal(gcmOpen(key, nonce, ciphertext, flip(tag), aad), undefined);
  assert.equal(gcmOpen(key, nonce, ciphertext, tag, Buffer.from('other')), undefined);
  // A truncated tag is refused, not checked on fewer bytes.
  assert.equal(gcmOpen(key, nonce, ciphertext, tag.subarray(0, 12), aad), undefined);
});

test('wrong key or nonce sizes are programming errors', () => {
  const plaintext = Buffer.from('x');
  assert.throws(() => gcmSeal(Buffer.alloc(16), randomNonce(), plaintext, Buffer.alloc(0)), RangeError);
  assert.throws(() => gcmSeal(createSecretKey(Buffer.alloc(16)), randomNonce(), plaintext, Buffer.alloc(0)), RangeError);
  assert.throws(() => gcmSeal(Buffer.alloc(32), Buffer.alloc(16), plaintext, Buffer.alloc(0)), RangeError);
  assert.throws(() => gcmOpen(Buffer.alloc(16), randomNonce(), plaintext, Buffer.alloc(16), Buffer.alloc(0)), RangeError);
});

test('a received nonce of the wrong size does not open (it is data, not a programming error)', () => {
  const key = Buffer.alloc(32, 1);
  const nonce = randomNonce();
  const { ciphertext, tag } = gcmSeal(key, nonce, Buffer.from('hi'), Buffer.alloc(0));
  assert.equal(gcmOpen(key, nonce.subarray(0, 8), ciphertext, tag, Buffer.alloc(0)), undefined);
  assert.equal(gcmOpen(key, Buffer.alloc(0), ciphertext, tag, Buffer.alloc(0)), undefined);
});

test('randomNonce: 12 fresh bytes, never repeated across pool refills, each a copy of its own', () => {
  const seen = new Set<string>();
  const first = randomNonce();
  // Three pools' worth (256 nonces each), so refills are crossed.
  for (let i = 0; i < 800; i++) {
    const nonce = randomNonce();
    assert.equal(nonce.length, 12);
    const hex = nonce.toString('hex');
    assert.ok(!seen.has(hex), 'a nonce repeated');
    seen.add(hex);
  }
  const copy = Buffer.from(first);
  randomNonce().fill(0);
  assert.deepEqual(first, copy, 'changing one nonce leaves the others alone');
});
