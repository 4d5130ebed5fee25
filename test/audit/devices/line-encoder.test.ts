import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineEncoder } from '../../../src/audit/devices/line-encoder.js';

test('a batch is encoded as the UTF-8 of its lines back to back, across growth and reuse', () => {
  const enc = createLineEncoder();
  const batches = [
    ['{"a":1}\n', 'é€𝄞 and a lone \ud800\n'],
    [], // nothing to write
    Array.from({ length: 300 }, (_, i) => `{"i":${i},"pad":"${'x'.repeat(i)}"}\n`), // grows the buffer
    ['x'.repeat(1_500_000) + '\n'], // past the size kept between batches
    ['short\n'],
  ];
  for (const lines of batches) {
    const out = enc.encode(lines);
    assert.deepEqual(out, Buffer.from(lines.join(''), 'utf8'));
  }
});

test('the view of one batch stays intact until the next encode', () => {
  const enc = createLineEncoder();
  const first = enc.encode(['one\n', 'two\n']);
  assert.equal(first.toString(), 'one\ntwo\n');
  const second = enc.encode(['three\n']);
  assert.equal(second.toString(), 'three\n');
});
