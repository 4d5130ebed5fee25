import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundlePath, encodeTileIndex, parseLogPath, tilePath } from '../../src/ledger/paths.js';
import { bundlesOfTree, partialTiles, tileHolding, tilesOfTree } from '../../src/ledger/tiles.js';
import { assertCode } from './helpers.js';

test('tile indexes are written in x-prefixed groups of three digits', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
  assert.equal(encodeTileIndex(0), '000');
  assert.equal(encodeTileIndex(67), '067');
  assert.equal(encodeTileIndex(1000), 'x001/000');
  assert.equal(encodeTileIndex(999999), 'x999/999');
  assert.equal(encodeTileIndex(Number.MAX_SAFE_INTEGER), 'x009/x007/x199/x254/x740/991');
});

test('tile and bundle paths, full and partial, and back', () => {
  const cases: [string, ReturnType<typeof parseLogPath>][] = [
    ['tile/0/x001/x234/067', { kind: 'tile', tile: { level: 0, index: 1234067, width: 256 } }],
    ['tile/0/x001/x234/067.p/8', { kind: 'tile', tile: { level: 0, index: 1234067, width: 8 } }],
    ['tile/3/000.p/1', { kind: 'tile', tile: { level: 3, index: 0, width: 1 } }],
    ['tile/63/999.p/255', { kind: 'tile', tile: { level: 63, index: 999, width: 255 } }],
    ['tile/entries/x001/x234/067', { kind: 'entries', bundle: { index: 1234067, width: 256 } }],
    ['tile/entries/000.p/255', { kind: 'entries', bundle: { index: 0, width: 255 } }],
    ['checkpoint', { kind: 'checkpoint' }],
  ];
  for (const [path, parsed] of cases) {
    assert.deepEqual(parseLogPath(path), parsed, path);
    if (parsed.kind === 'tile') assert.equal(tilePath(parsed.tile), path);
    if (parsed.kind === 'entries') assert.equal(bundlePath(parsed.bundle), path);
  }
});

test('non-canonical or malformed paths are rejected with ledger_invalid_path', () => {
  const bad = [
    '', '/checkpoint', 'checkpoint/', 'tile', 'tile/0', 'tile/0/', 'tile/0/1', 'tile/0/0001', 'tile/0/x1/000', 'tile/0/001/000',
    'tile/0/x000/001', 'tile/0/x001/x234', 'tile/0/x001/x234/067/', 'tile/0/x001//067', 'tile/00/000', 'tile/01/000', 'tile/64/000',
    'tile/-1/000', 'tile/a/000', 'tile/0/000.p/0', 'tile/0/000.p/256', 'tile/0/000.p/300', 'tile/0/000.p/08', 'tile/0/000.p/',
    'tile/0/000.p', 'tile/0/000.p/8/9', 'tile/0/000.p/1.p/1', 'tile/0/x001.p/1/000', 'tile/0/000.P/8', 'tile/entry/000',
    'tile/entries/000.p/256', 'tile/0/x999/x999/x999/x999/x999/x999/999', `tile/0/${'x001/'.repeat(20)}000`, 'tile/0/ 000', 'tile/0/000 ',
    'tile/0/+00', 'tile/0/0x1', 'tile/0/１２３',
  ];
  for (const path of bad) assertCode(() => parseLogPath(path), 'ledger_invalid_path', undefined);
});

test('path encoding refuses widths outside 1..256 and levels outside 0..63', () => {
  assertCode(() => tilePath({ level: 0, index: 0, width: 0 }), 'ledger_invalid_path');
  assertCode(() => tilePath({ level: 0, index: 0, width: 257 }), 'ledger_invalid_path');
  assertCode(() => tilePath({ level: 64, index: 0, width: 1 }), 'ledger_invalid_path');
  assertCode(() => bundlePath({ index: -1, width: 1 }), 'ledger_invalid_path');
  assertCode(() => bundlePath({ index: 1.5, width: 1 }), 'ledger_invalid_path');
});

test('the tiles of a tree: full tiles, then the partial tile of each level that has one', () => {
  const size = 256 * 256 + 256 * 3 + 5; // 66,309 leaves: 259 full level-0 tiles and 5 leaves over
  const paths = [...tilesOfTree(size)].map(tilePath);
  assert.equal(paths.length, 260 + 2 + 1);
  assert.deepEqual(paths.slice(0, 2), ['tile/0/000', 'tile/0/001']);
  assert.deepEqual(paths.slice(-5), ['tile/0/258', 'tile/0/259.p/5', 'tile/1/000', 'tile/1/001.p/3', 'tile/2/000.p/1']);
  assert.deepEqual(partialTiles(size).map(tilePath), ['tile/0/259.p/5', 'tile/1/001.p/3', 'tile/2/000.p/1']);
  assert.deepEqual(partialTiles(256).map(tilePath), ['tile/1/000.p/1']);
  assert.deepEqual(partialTiles(0), []);
  assert.deepEqual([...tilesOfTree(0)], []);
  assert.deepEqual([...bundlesOfTree(513)].map(bundlePath), ['tile/entries/000', 'tile/entries/001', 'tile/entries/002.p/1']);
  assert.deepEqual(tileHolding(0, 300, 1000), { level: 0, index: 1, width: 256 });
  assert.deepEqual(tileHolding(0, 900, 1000), { level: 0, index: 3, width: 232 });
  assert.deepEqual(tileHolding(1, 2, 1000), { level: 1, index: 0, width: 3 });
  assertCode(() => tileHolding(1, 3, 1000), 'ledger_invalid_range');
});
