import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { emptyRoot, isPowerOfTwo, leafHash, nodeHash, rootOf, splitPoint } from '../../src/ledger/hash.js';
import { RFC_LEAVES, RFC_ROOTS } from './helpers.js';

test('the root of every prefix 1..8 of the RFC 6962 test leaves is the published one', () => {
  for (let n = 1; n <= 8; n++) {
    assert.equal(rootOf(RFC_LEAVES.slice(0, n).map(leafHash)).toString('hex'), RFC_ROOTS[n - 1].toString('hex'), `size ${n}`);
  }
});

test('the empty tree root is SHA-256 of nothing', () => {
  assert.equal(emptyRoot().toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(rootOf([]).toString('hex'), emptyRoot().toString('hex'));
});

test('leaf and node hashes carry the 0x00 and 0x01 domain prefixes', () => {
  const entry = Buffer.from('abc');
  assert.deepEqual(leafHash(entry), createHash('sha256').update(Buffer.from([0, 0x61, 0x62, 0x63])).digest());
  const l = Buffer.alloc(32, 1);
  const r = Buffer.alloc(32, 2);
  assert.deepEqual(nodeHash(l, r), createHash('sha256').update(Buffer.concat([Buffer.from([1]), l, r])).digest());
  // The one-leaf tree's root is its leaf hash, not the entry's plain SHA-256.
  assert.deepEqual(rootOf([leafHash(entry)]), leafHash(entry));
  assert.notDeepEqual(leafHash(entry), createHash('sha256').update(entry).digest());
});

test('the split point is the largest power of two below n, beyond 32-bit sizes too', () => {
  assert.deepEqual([2, 3, 4, 5, 8, 9].map(splitPoint), [1, 2, 2, 4, 4, 8]);
  assert.equal(splitPoint(2 ** 40 + 1), 2 ** 40);
  assert.equal(splitPoint(2 ** 33), 2 ** 32);
  assert.deepEqual([0, 1, 2, 3, 6, 2 ** 40, 2 ** 40 + 2].map(isPowerOfTwo), [false, true, true, false, false, true, false]);
});

test('rootOf does not mutate or alias the hashes it is given', () => {
  const hashes = RFC_LEAVES.slice(0, 1).map(leafHash);
  const root = rootOf(hashes);
  root[0] ^= 0xff;
  assert.equal(hashes[0].toString('hex'), leafHash(RFC_LEAVES[0]).toString('hex'));
});
