import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, rootOf } from '../../src/ledger/hash.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../src/ledger/proof.js';
import { tilePath, parseLogPath } from '../../src/ledger/paths.js';
import { tilesOfTree } from '../../src/ledger/tiles.js';
import { TreeBuilder } from '../../src/ledger/tree-builder.js';
import {
  builderFromTiles, consistencyProofFromTiles, inclusionProofFromTiles, leafHashFromTiles, rootFromTiles,
} from '../../src/ledger/tile-proofs.js';
import { assertCode, directReader, entries, MemoryLog, prng, RFC_LEAVES, RFC_ROOTS } from './helpers.js';


test('the builder gives the RFC 6962 roots for every prefix of the test leaves', () => {
  const builder = TreeBuilder.empty();
  assert.equal(builder.root().toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  RFC_LEAVES.forEach((leaf, i) => {
    builder.append([leafHash(leaf)]);
    assert.deepEqual(builder.root(), RFC_ROOTS[i], `size ${i + 1}`);
  });
  assert.deepEqual(builder.partialTiles().map((t) => [tilePath(t.tile), t.data.length]), [['tile/0/000.p/8', 256]]);
});

test('tiles hold what tlog-tiles says: leaf hashes at level 0, roots of full lower tiles above', () => {
  const hashes = entries(256 * 3 + 17).map(leafHash);
  const builder = TreeBuilder.empty();
  const full = builder.append(hashes);
  assert.deepEqual(full.map((t) => tilePath(t.tile)), ['tile/0/000', 'tile/0/001', 'tile/0/002']);
  full.forEach((t, i) => assert.deepEqual(t.data, Buffer.concat(hashes.slice(i * 256, i * 256 + 256))));
  const partial = builder.partialTiles();
  assert.deepEqual(partial.map((t) => tilePath(t.tile)), ['tile/0/003.p/17', 'tile/1/000.p/3']);
  assert.deepEqual(partial[0].data, Buffer.concat(hashes.slice(768)));
  assert.deepEqual(partial[1].data, Buffer.concat([0, 1, 2].map((i) => rootOf(hashes.slice(i * 256, i * 256 + 256)))));
  assert.deepEqual(builder.root(), rootOf(hashes));
  // What it handed out is a copy: changing it changes nothing inside.
  partial[0].data.fill(0);
  assert.deepEqual(builder.partialTiles()[0].data, Buffer.concat(hashes.slice(768)));
});

test('property: for random sizes and batches, the tiles-built root is the direct root, a reopened builder continues the same tree, and proofs from tiles are the direct proofs', async () => {
  const rand = prng(9162);
  const deadline = Date.now() + 6000;
  for (let round = 0; round < 8 && Date.now() < deadline; round++) {
    const log = new MemoryLog();
    const target = 1 + rand(round < 4 ? 600 : 4000);
    const all: Buffer[] = [];
    const roots: Buffer[] = [rootOf([])];
    while (log.size < target) {
      const batch = entries(Math.min(target - log.size, 1 + rand(round % 2 ? 300 : 20)), log.size);
      all.push(...batch.map(leafHash));
      const root = log.append(batch);
      assert.deepEqual(root, rootOf(all), `size ${log.size}`);
      roots[log.size] = root;
      assert.deepEqual(log.reopened().root(), root);
    }
    // Every tile the tree has is stored, and nothing else but bundles.
    const tiles = [...tilesOfTree(log.size)].map(tilePath);
    for (const path of tiles) assert.ok(log.files.has(path), path);
    assert.deepEqual(await rootFromTiles(log.fetch, log.size), roots[log.size]);
    const read = directReader(all);
    for (let k = 0; k < 15; k++) {
      const index = rand(log.size);
      const proof = await inclusionProofFromTiles(log.fetch, index, log.size);
      assert.deepEqual(proof, inclusionProof(read, index, log.size));
      verifyInclusion(index, log.size, await leafHashFromTiles(log.fetch, index, log.size), proof, roots[log.size]);
      const old = roots.length - 1 - rand(roots.length);
      const size1 = roots[old] ? old : 0;
      const cproof = await consistencyProofFromTiles(log.fetch, size1, log.size);
      assert.deepEqual(cproof, consistencyProof(read, size1, log.size));
      verifyConsistency(size1, log.size, cproof, roots[size1], roots[log.size]);
    }
  }
});

test('a tree past 65,536 leaves has level-2 tiles, and its root and proofs still agree', async () => {
  const log = new MemoryLog();
  const all: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = entries(15_000, log.size);
    all.push(...batch.map(leafHash));
    log.append(batch);
  }
  assert.equal(log.size, 75_000);
  assert.deepEqual(log.partialTilePaths(), ['tile/0/292.p/248', 'tile/1/001.p/36', 'tile/2/000.p/1']);
  const root = rootOf(all);
  assert.deepEqual(await rootFromTiles(log.fetch, log.size), root);
  for (const index of [0, 65_535, 65_536, 74_999]) {
    verifyInclusion(index, log.size, all[index], await inclusionProofFromTiles(log.fetch, index, log.size), root);
  }
  const root70k = rootOf(all.slice(0, 70_000));
  verifyConsistency(70_000, 75_000, await consistencyProofFromTiles(log.fetch, 70_000, 75_000), root70k, root);
  const builder = await builderFromTiles(log.fetch, log.size);
  builder.append([leafHash(Buffer.from('one more'))]);
  assert.deepEqual(builder.root(), rootOf([...all, leafHash(Buffer.from('one more'))]));
});

test('the builder rejects partial tiles of the wrong length and hashes of the wrong size', () => {
  const log = new MemoryLog();
  log.append(entries(300));
  assertCode(() => TreeBuilder.fromPartialTiles(300, () => Buffer.alloc(31)), 'ledger_invalid_tile', /not 1408/);
  assertCode(() => TreeBuilder.empty().append([Buffer.alloc(33)]), 'ledger_invalid_tile');
  assertCode(() => TreeBuilder.fromPartialTiles(-1, () => Buffer.alloc(0)), 'ledger_invalid_range');
  const short = async (path: string) => (await log.fetch(path)).subarray(32);
  return assert.rejects(inclusionProofFromTiles(short, 3, 300), (err: Error & { code?: string }) => err.code === 'ledger_invalid_tile');
});

test('tile paths the builder writes parse back to their coordinates', () => {
  const builder = TreeBuilder.empty();
  const written = [...builder.append(entries(600).map(leafHash)), ...builder.partialTiles()];
  for (const { tile } of written) assert.deepEqual(parseLogPath(tilePath(tile)), { kind: 'tile', tile });
});
