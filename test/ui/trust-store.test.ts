/**
 * The console's ledger memory in localStorage: one checkpoint per key, so an answer under another
 * key never makes the browser forget what it verified under the real one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

const items = new Map<string, string>();
Object.assign(globalThis, {
  localStorage: {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => { items.set(k, String(v)); },
    removeItem: (k: string) => { items.delete(k); },
  },
});
const { loadTrust, rememberSeen, MAX_REMEMBERED_KEYS } = await import('../../ui/src/trustStore.js');

const REAL = 'log+01020304+AQ==';
const OTHER = 'impostor+05060708+AQ==';

test('a checkpoint under another key is remembered beside the real key\'s, never instead of it', () => {
  items.clear();
  rememberSeen({ key: REAL, size: 460, root: 'cm9vdDQ2MA==' });
  rememberSeen({ key: OTHER, size: 5, root: 'b3RoZXI=' });
  assert.deepEqual(loadTrust().seen?.find((c) => c.key === REAL), { key: REAL, size: 460, root: 'cm9vdDQ2MA==' });
  // A smaller checkpoint of the same key does not replace the larger one; a larger one does.
  rememberSeen({ key: REAL, size: 100, root: 'eA==' });
  assert.equal(loadTrust().seen?.find((c) => c.key === REAL)?.size, 460);
  rememberSeen({ key: REAL, size: 470, root: 'eQ==' });
  assert.deepEqual(loadTrust().seen?.map((c) => [c.key, c.size]), [[REAL, 470], [OTHER, 5]]);
});

test('the single checkpoint older builds kept is read; damaged entries are dropped; the memory is bounded', () => {
  items.clear();
  items.set('sealtrail.ledger.seen', JSON.stringify({ key: REAL, size: 3, root: 'eg==' }));
  assert.deepEqual(loadTrust().seen, [{ key: REAL, size: 3, root: 'eg==' }]);
  items.set('sealtrail.ledger.seen', '{not json');
  assert.deepEqual(loadTrust().seen, []);
  items.clear();
  for (let i = 0; i < MAX_REMEMBERED_KEYS + 5; i++) rememberSeen({ key: `k${i}+00000000+AQ==`, size: 1, root: 'eg==' });
  const seen = loadTrust().seen!;
  assert.equal(seen.length, MAX_REMEMBERED_KEYS);
  assert.equal(seen[0].key, `k${MAX_REMEMBERED_KEYS + 4}+00000000+AQ==`, 'the most recent first');
});
