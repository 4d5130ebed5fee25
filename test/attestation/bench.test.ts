import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchNitroVerify } from '../../bench/attestation.js';

test('benchNitroVerify measures both modes (a few iterations)', async () => {
  const r = await benchNitroVerify({ iterations: 3 });
  assert.deepEqual(Object.keys(r).sort(), ['withCache', 'withoutCache']);
  assert.ok(r.withCache > 0 && r.withoutCache > 0);
});
