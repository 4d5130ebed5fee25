import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listChildren, type KeyScan } from '../../../src/storage/sqlite/list-children.js';
import { afterFolder, prefixSuccessor } from '../../../src/storage/sqlite/key-range.js';
import { childrenOf } from '../../../src/storage/list.js';

/** A scan over a sorted array (byte order equals UTF-16 order for these ASCII keys) that counts rows read. */
function countingScan(keys: string[]): { scan: KeyScan; reads: () => number; scans: () => number } {
  const sorted = [...keys].sort();
  let reads = 0;
  let scans = 0;
  const scan: KeyScan = (from, until) => {
    scans++;
    const it = (function* () {
      for (const k of sorted) {
        if (k < from) continue;
        if (until !== undefined && k >= until) return;
        reads++;
        yield k;
      }
    })();
    return it;
  };
  return { scan, reads: () => reads, scans: () => scans };
}

test('prefixSuccessor bounds exactly the keys starting with the prefix', () => {
  const table: Array<[string, string | undefined]> = [
    ['', undefined],
    ['a/', 'a0'],
    ['ab', 'ac'],
    ['x\ud7ff', 'x\ue000'],
    ['x\u{1f600}', 'x\u{1f601}'],
    ['x\u{10ffff}', undefined],
    ['x\udc00', undefined],
  ];
  for (const [prefix, want] of table) assert.equal(prefixSuccessor(prefix), want, JSON.stringify(prefix));
  assert.equal(afterFolder('secret/data/'), 'secret/data0');
});

test('listChildren matches childrenOf and does not walk large folders', () => {
  const keys = ['top'];
  for (let f = 0; f < 10; f++) for (let i = 0; i < 1000; i++) keys.push(`f${f}/item${i}`);
  for (let i = 0; i < 100; i++) keys.push(`leaf${String(i).padStart(3, '0')}`);
  const { scan, reads, scans } = countingScan(keys);
  const got = listChildren(scan, '');
  assert.deepEqual(got, childrenOf([...keys].sort(), ''));
  assert.equal(got.length, 111);
  // 10 folders × (1 + read-ahead) rows + 101 leaves, far below the 10,101 keys stored.
  assert.equal(reads(), 10 * 9 + 101);
  assert.equal(scans(), 11);
});

test('listChildren stops at the end of the prefix range', () => {
  const { scan, reads } = countingScan(['a/1', 'a/2', 'b/1', 'b/2', 'c']);
  assert.deepEqual(listChildren(scan, 'a/'), ['1', '2']);
  assert.equal(reads(), 2);
});
