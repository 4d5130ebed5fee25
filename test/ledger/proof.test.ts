import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, rootOf } from '../../src/ledger/hash.js';
import {
  consistencyProof, inclusionProof, nodesRead, rootFromInclusionProof, verifyConsistency, verifyInclusion,
} from '../../src/ledger/proof.js';
import { assertCode, directReader, hex, prng, RFC_LEAVES, RFC_ROOTS } from './helpers.js';

const LEAF_HASHES = RFC_LEAVES.map(leafHash);
const READ = directReader(LEAF_HASHES);
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
const EMPTY_ROOT = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

// transparency-dev/merkle proof/verify_test.go: leaf indexes there are 1-based.
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { index: 0, size: 1, proof: [] },
];

const CONSISTENCY = [
  { size1: 1, size2: 1, proof: [] },
  { size1: 1, size2: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { size1: 6, size2: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { size1: 2, size2: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { size1: 6, size2: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];

const flip = (b: Buffer, bit: number) => {
  const c = Buffer.from(b);
  c[0] ^= bit;
  return c;
};

test('inclusion proofs for the RFC 6962 test leaves are the published ones, and verify', () => {
  for (const v of INCLUSION) {
    const proof = inclusionProof(READ, v.index, v.size);
    assert.deepEqual(proof.map((p) => p.toString('hex')), v.proof, `leaf ${v.index} of ${v.size}`);
    assert.deepEqual(rootFromInclusionProof(v.index, v.size, LEAF_HASHES[v.index], proof), RFC_ROOTS[v.size - 1]);
    verifyInclusion(v.index, v.size, LEAF_HASHES[v.index], proof, RFC_ROOTS[v.size - 1]);
  }
});

test('a corrupted inclusion proof never verifies (the probes of transparency-dev/merkle)', () => {
  for (const v of INCLUSION.filter((x) => x.proof.length > 0)) {
    const proof = v.proof.map(hex);
    const root = RFC_ROOTS[v.size - 1];
    const leaf = LEAF_HASHES[v.index];
    const probes: [number, number, Buffer, Buffer[], Buffer][] = [
      [v.index - 1, v.size, leaf, proof, root], [v.index + 1, v.size, leaf, proof, root], [v.index ^ 2, v.size, leaf, proof, root],
      [v.index, v.size * 2, leaf, proof, root], [v.index, Math.floor(v.size / 2), leaf, proof, root],
      [v.index, v.size, Buffer.from('WrongLeaf'), proof, root], [v.index, v.size, leaf, proof, EMPTY_ROOT], [v.index, v.size, leaf, proof, SOME_HASH],
      [v.index, v.size, leaf, [...proof, Buffer.alloc(0)], root], [v.index, v.size, leaf, [...proof, root], root],
      [v.index, v.size, leaf, [Buffer.alloc(0), ...proof], root], [v.index, v.size, leaf, [root, ...proof], root],
      [v.index, v.size, leaf, proof.slice(0, -1), root],
      ...proof.map((_, i): [number, number, Buffer, Buffer[], Buffer] => [v.index, v.size, leaf, proof.map((p, j) => (j === i ? flip(p, 8) : p)), root]),
    ];
    if (proof.length > 1) probes.push([v.index, v.size, leaf, [proof[0], SOME_HASH, ...proof.slice(1)], root]);
    for (const [index, size, l, p, r] of probes) assertCode(() => verifyInclusion(index, size, l, p, r), 'ledger_invalid_proof');
  }
});

test('consistency proofs for the RFC 6962 test leaves are the published ones, and verify', () => {
  for (const v of CONSISTENCY) {
    const proof = consistencyProof(READ, v.size1, v.size2);
    assert.deepEqual(proof.map((p) => p.toString('hex')), v.proof, `${v.size1} → ${v.size2}`);
    verifyConsistency(v.size1, v.size2, proof, RFC_ROOTS[v.size1 - 1], RFC_ROOTS[v.size2 - 1]);
  }
});

test('a corrupted consistency proof never verifies (the probes of transparency-dev/merkle)', () => {
  for (const v of CONSISTENCY.filter((x) => x.proof.length > 0)) {
    const proof = v.proof.map(hex);
    const r1 = RFC_ROOTS[v.size1 - 1];
    const r2 = RFC_ROOTS[v.size2 - 1];
    const probes: [number, number, Buffer[], Buffer, Buffer][] = [
      [v.size1 - 1, v.size2, proof, r1, r2], [v.size1 + 1, v.size2, proof, r1, r2], [v.size1 ^ 2, v.size2, proof, r1, r2],
      [v.size1, v.size2 * 2, proof, r1, r2], [v.size1, Math.floor(v.size2 / 2), proof, r1, r2],
      [v.size1, v.size2, proof, Buffer.from('WrongRoot'), r2], [v.size1, v.size2, proof, r1, Buffer.from('WrongRoot')], [v.size1, v.size2, proof, r2, r1],
      [v.size1, v.size2, [], r1, r2],
      [v.size1, v.size2, [...proof, Buffer.alloc(0)], r1, r2], [v.size1, v.size2, [...proof, r1], r1, r2], [v.size1, v.size2, [...proof, r2], r1, r2],
      [v.size1, v.size2, [Buffer.alloc(0), ...proof], r1, r2], [v.size1, v.size2, [r1, ...proof], r1, r2], [v.size1, v.size2, [r2, ...proof], r1, r2],
      [v.size1, v.size2, [proof[0], ...proof], r1, r2], [v.size1, v.size2, proof.slice(0, -1), r1, r2],
      ...proof.map((_, i): [number, number, Buffer[], Buffer, Buffer] => [v.size1, v.size2, proof.map((p, j) => (j === i ? flip(p, 16) : p)), r1, r2]),
    ];
    for (const [s1, s2, p, a, b] of probes) assertCode(() => verifyConsistency(s1, s2, p, a, b), 'ledger_invalid_proof');
  }
});

test('trivial consistency: equal sizes need equal roots and an empty proof; from size 0 anything', () => {
  const r = RFC_ROOTS[0];
  verifyConsistency(1, 1, [], r, r);
  verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT);
  verifyConsistency(0, 5, [], EMPTY_ROOT, RFC_ROOTS[4]);
  assertCode(() => verifyConsistency(1, 1, [], r, RFC_ROOTS[1]), 'ledger_invalid_proof', /different roots/);
  assertCode(() => verifyConsistency(1, 1, [EMPTY_ROOT], r, r), 'ledger_invalid_proof');
  assertCode(() => verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, r), 'ledger_invalid_proof');
  assertCode(() => verifyConsistency(2, 1, [], r, r), 'ledger_invalid_proof', /larger/);
  assert.deepEqual(consistencyProof(READ, 0, 8), []);
  assert.deepEqual(consistencyProof(READ, 8, 8), []);
});

test('proof requests outside the tree are rejected with ledger_invalid_range', () => {
  assertCode(() => inclusionProof(READ, 8, 8), 'ledger_invalid_range', /not below tree size/);
  assertCode(() => inclusionProof(READ, 0, 0), 'ledger_invalid_range');
  assertCode(() => inclusionProof(READ, -1, 8), 'ledger_invalid_range');
  assertCode(() => inclusionProof(READ, 1.5, 8), 'ledger_invalid_range');
  assertCode(() => consistencyProof(READ, 5, 3), 'ledger_invalid_range');
  assertCode(() => consistencyProof(READ, 1, Number.MAX_SAFE_INTEGER + 1), 'ledger_invalid_range');
  assertCode(() => verifyInclusion(0, 1, Buffer.alloc(31), [], Buffer.alloc(32)), 'ledger_invalid_proof', /31 bytes/);
});

test('property: every inclusion and consistency proof over random trees verifies, and names the nodes it reads', () => {
  const rand = prng(6962);
  const deadline = Date.now() + 5000;
  for (let round = 0; round < 12 && Date.now() < deadline; round++) {
    const size = 1 + rand(round < 6 ? 70 : 3000);
    const hashes = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`leaf ${round}/${i}`)));
    const read = directReader(hashes);
    const roots = new Map<number, Buffer>();
    const rootAt = (n: number) => roots.get(n) ?? roots.set(n, rootOf(hashes.slice(0, n))).get(n)!;
    for (let k = 0; k < 20; k++) {
      const index = rand(size);
      const proof = inclusionProof(read, index, size);
      verifyInclusion(index, size, hashes[index], proof, rootAt(size));
      assert.equal(nodesRead((r) => inclusionProof(r, index, size)).length >= proof.length, true);
      const size1 = rand(size + 1);
      verifyConsistency(size1, size, consistencyProof(read, size1, size), rootAt(size1), rootAt(size));
      const mid = size1 + rand(size - size1 + 1);
      verifyConsistency(size1, mid, consistencyProof(read, size1, mid), rootAt(size1), rootAt(mid));
    }
  }
});
