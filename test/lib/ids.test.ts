import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newRequestId, uuidV7 } from '../../src/lib/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidV7 is an RFC 9562 version 7 UUID carrying its time in ms', () => {
  const ms = Date.UTC(2026, 11, 5, 16, 30, 0, 123);
  const id = uuidV7(ms);
  assert.match(id, V7);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), ms);
  assert.match(uuidV7(0), /^00000000-0000-7/);
});

test('uuidV7 ids of later ms sort later, as strings; ids of one ms differ', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const ids = Array.from({ length: 2000 }, (_, i) => uuidV7(t0 + i));
  assert.deepEqual([...ids].sort(), ids);
  const same = Array.from({ length: 10_000 }, () => uuidV7(t0));
  assert.equal(new Set(same).size, 10_000);
  for (const id of same) assert.match(id, V7);
});

test('a request id is a UUIDv7 of the time it was made', () => {
  const before = Date.now();
  const id = newRequestId();
  const after = Date.now();
  assert.match(id, V7);
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(ms >= before && ms <= after, `${ms} within [${before}, ${after}]`);
});
