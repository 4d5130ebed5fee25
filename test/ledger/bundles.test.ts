import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundlesForAppend, decodeBundle, encodeBundle, scanBundle } from '../../src/ledger/bundles.js';
import { bundlePath } from '../../src/ledger/paths.js';
import { assertCode, entries } from './helpers.js';

test('a bundle is big-endian uint16 length-prefixed entries, and decodes to views of its bytes', () => {
  const bundle = encodeBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(300, 7)]);
  assert.deepEqual(bundle.subarray(0, 6), Buffer.from([0, 2, 0x61, 0x62, 0, 0]));
  assert.deepEqual(bundle.subarray(6, 8), Buffer.from([0x01, 0x2c]));
  assert.equal(bundle.length, 2 + 2 + 2 + 0 + 2 + 300);
  const decoded = decodeBundle(bundle, 3);
  assert.deepEqual(decoded.map((e) => e.length), [2, 0, 300]);
  assert.equal(decoded[0].buffer, bundle.buffer); // views, not copies
  const max = encodeBundle([Buffer.alloc(65_535)]);
  assert.deepEqual(max.subarray(0, 2), Buffer.from([0xff, 0xff]));
  assert.equal(decodeBundle(max, 1)[0].length, 65_535);
});

test('an entry over 65,535 bytes or a 257th entry cannot be bundled', () => {
  assertCode(() => encodeBundle([Buffer.alloc(65_536)]), 'ledger_entry_too_large');
  assertCode(() => encodeBundle(entries(257)), 'ledger_invalid_bundle');
});

test('a defective bundle is rejected naming the entry where it breaks', () => {
  const good = encodeBundle([Buffer.from('one'), Buffer.from('two')]);
  assert.deepEqual(scanBundle(good.subarray(0, good.length - 1), 2).problem, { at: 1, reason: 'entry 1 is truncated' });
  assert.deepEqual(scanBundle(Buffer.concat([good, Buffer.from([0])]), 2).problem, { at: 2, reason: 'bytes after entry 1' });
  assert.deepEqual(scanBundle(good, 3).problem, { at: 2, reason: '2 entries, not 3' });
  assert.deepEqual(scanBundle(good.subarray(0, 6), 2).problem, { at: 1, reason: 'entry 1 has a truncated length' });
  assertCode(() => decodeBundle(good, 1), 'ledger_invalid_bundle', /bytes after entry 0/);
  assertCode(() => decodeBundle(Buffer.from([0, 5, 1]), 1), 'ledger_invalid_bundle', /truncated/);
  assert.deepEqual(decodeBundle(Buffer.alloc(0), 0), []);
});

test('appending writes each bundle that fills, then the new partial bundle', () => {
  const first = bundlesForAppend(0, [], entries(300));
  assert.deepEqual(first.map((b) => bundlePath(b.bundle)), ['tile/entries/000', 'tile/entries/001.p/44']);
  const partial = decodeBundle(first[1].data, 44);
  const next = bundlesForAppend(300, partial, entries(212, 300));
  assert.deepEqual(next.map((b) => bundlePath(b.bundle)), ['tile/entries/001']);
  assert.deepEqual(decodeBundle(next[0].data, 256), entries(256, 256));
  assert.deepEqual(bundlesForAppend(512, [], []), []);
  assertCode(() => bundlesForAppend(300, [], entries(1)), 'ledger_invalid_bundle', /44 in its partial bundle/);
});
