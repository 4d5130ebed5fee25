/** sys/wrapping/unwrap with the wrapping token named in the body, under concurrency. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendFromPaths, createWrapping, type MountEntry, type TokenEntry } from '../../src/core/index.js';
import { createTokenStore } from '../../src/auth/token/store.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageView, type Storage } from '../../src/storage/types.js';
import { wrappingPaths } from '../../src/sys/wrapping.js';

const mount = { table: 'secret', path: 'sys/', type: 'system' } as MountEntry;

/** Storage whose reads answer a turn of the event loop after reading, as a real backend (an encrypted SQLite read) may. */
function slowReads(storage: Storage): Storage {
  return {
    ...storage,
    get: async (key) => {
      const value = await storage.get(key);
      await new Promise((r) => setImmediate(r));
      return value;
    },
  };
}

test('of concurrent unwraps naming one wrapping token, exactly one gets the response', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(Date.UTC(2026, 11, 6));
  const tokens = createTokenStore({ storage: storageView(storage, 'token/'), clock, hashKey: new Uint8Array(32).fill(3) });
  const wrapping = createWrapping({ storage: slowReads(storageView(storage, 'wrap/')), tokens, clock });
  const sys = backendFromPaths(wrappingPaths({ tokens, wrapping: () => wrapping }));
  const caller = (await tokens.create({ policies: ['default'], path: 'auth/token/create' })).entry;

  const unwrap = (wrappingToken: string, token: TokenEntry) => {
    const data = { token: wrappingToken };
    const logical = { id: 'r', operation: 'update' as const, path: 'sys/wrapping/unwrap', data, clientToken: 'caller', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 };
    return sys.handleRequest({ logical, operation: 'update', path: 'wrapping/unwrap', data, mount, token });
  };

  for (let round = 0; round < 5; round++) {
    const wrapped = await wrapping.wrap({ data: { secret: `s-${round}` } }, 'sys/wrapping/wrap', 60);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => unwrap(wrapped.wrapInfo!.token, caller)));
    const answered = results.filter((r) => r.status === 'fulfilled');
    assert.equal(answered.length, 1, `round ${round}: ${answered.length} unwraps got the response`);
    assert.deepEqual((answered[0] as PromiseFulfilledResult<{ data?: unknown }>).value.data, { secret: `s-${round}` });
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const err = (r as PromiseRejectedResult).reason;
      assert.ok(err instanceof SealtrailError, String(err));
      assert.deepEqual([err.kind, err.message], ['invalid', 'wrapping token is not valid or does not exist']);
    }
    assert.equal(await tokens.lookup(wrapped.wrapInfo!.token), undefined, 'the wrapping token is spent');
  }
});
