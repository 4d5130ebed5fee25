import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { deepFreeze } from '../../../src/lib/immutable.js';
import { DEFAULT_CONFIG, emptyMetadata } from '../../../src/secrets/kv/model.js';
import { addVersion } from '../../../src/secrets/kv/versions.js';
import { goDuration, readBody, versionView } from '../../../src/secrets/kv/views.js';

test('durations are written as Go\'s time.Duration.String()', () => {
  const table: [number, string][] = [
    [0, '0s'], [1, '1s'], [59, '59s'], [60, '1m0s'], [90, '1m30s'], [3600, '1h0m0s'],
    [5400, '1h30m0s'], [2764800, '768h0m0s'], [-1, '-1s'], [-3661, '-1h1m1s'],
  ];
  for (const [seconds, expected] of table) assert.equal(goDuration(seconds), expected, String(seconds));
});

test('the version view of a frozen (cached) record is built once and shared; of a live record, afresh', () => {
  const live = addVersion(emptyMetadata(1_000_000_000n), DEFAULT_CONFIG, 1_000_000_000n).meta;
  const frozen = deepFreeze(structuredClone(live));
  const a = versionView(frozen, 1, frozen.versions[1]);
  assert.equal(versionView(frozen, 1, frozen.versions[1]), a);
  assert.ok(Object.isFrozen(a));
  assert.deepEqual(a, versionView(live, 1, live.versions[1]));
  assert.notEqual(versionView(live, 1, live.versions[1]), versionView(live, 1, live.versions[1]));
});

test('a read body shared by every read of a cached version lives no longer than its data record', async () => {
  // Full collections on demand, to see what the memo keeps alive.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const metadata = deepFreeze({ created_time: 't', version: 1 });
  const shared = deepFreeze({ k: 'v' });
  assert.equal(readBody(shared, metadata), readBody(shared, metadata), 'one body for both reads');
  // A data record the cache has let go, while the metadata view stays (it is small and still cached).
  const gone = new WeakRef(((): object => {
    const data = deepFreeze({ blob: 'x'.repeat(1024) });
    readBody(data, metadata);
    return data;
  })());
  for (let i = 0; i < 5 && gone.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(gone.deref(), undefined, 'the data is not kept alive by its read body');
});
