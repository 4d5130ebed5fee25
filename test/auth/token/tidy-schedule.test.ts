import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenHasher } from '../../../src/auth/token/hash.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenStore } from '../../../src/auth/token/store.js';
import { startTokenTidy } from '../../../src/auth/token/tidy-schedule.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { call, startDevServer } from '../../helpers/server.js';

/** The key the store's accessor index uses: an HMAC of the accessor, never the accessor (store.ts). */
const accessorHash = tokenHasher(new Uint8Array(32).fill(7), 'accessor:');

const T0 = Date.UTC(2025, 0, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms for at most 3 s. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('the schedule removes tokens once they expire, from the accessor list and from storage', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(T0);
  const tokens = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  const passes: number[] = [];
  const tidy = startTokenTidy({ tokens, intervalMs: 20, onPass: (n) => passes.push(n) });
  try {
    const keep = await tokens.create({ policies: ['dev'], ttl: 3600, path: 'p' });
    for (let i = 0; i < 50; i++) await tokens.create({ policies: ['dev'], ttl: 60, path: 'p' });
    await eventually(async () => passes.length >= 2, 'two passes');
    assert.equal((await tokens.listAccessors()).length, 51, 'nothing is removed before it expires');

    clock.advance(60_001);
    await eventually(async () => (await tokens.listAccessors()).length === 1, 'the expired tokens to go');
    assert.deepEqual(await tokens.listAccessors(), [keep.entry.accessor]);
    assert.deepEqual(storage.keys(), [`accessor/${accessorHash(keep.entry.accessor)}`, `id/${keep.entry.idHash}`]);
    assert.ok(passes.includes(50), `one pass revoked the 50: ${passes.join(',')}`);
  } finally {
    await tidy.stop();
  }
});

test('tokens that expired while the server was down are removed at start, and stop() ends a running pass', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(T0);
  const before = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  for (let i = 0; i < 20; i++) await before.create({ policies: ['dev'], ttl: 60, path: 'p' });
  clock.advance(3600_000); // down for an hour

  const after = createTokenStore({ storage, clock, hashKey: new Uint8Array(32).fill(7) });
  const tidy = startTokenTidy({ tokens: after, intervalMs: 3600_000 });
  await eventually(async () => (await after.listAccessors()).length === 0, 'the start-up pass');
  assert.deepEqual(storage.keys(), []);
  await tidy.stop();

  let aborted: boolean | undefined;
  const slow = startTokenTidy({
    tokens: { tidy: async (signal) => { while (!signal?.aborted) await sleep(5); aborted = signal.aborted; return 0; } },
    intervalMs: 3600_000,
  });
  await sleep(20);
  await slow.stop();
  assert.equal(aborted, true);
});

test('end to end: a token that expired while the server was stopped is not listed after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-tidy-'));
  const clock = manualClock(Date.now());
  try {
    const first = await startDevServer({ devDataDir: dir, clock });
    const created = await call(first.address, 'POST', 'auth/token/create', { token: first.rootToken, body: { ttl: '1h', policies: ['default'] } });
    assert.equal(created.status, 200, created.text);
    const accessor = created.json.auth.accessor as string;
    const listed = await call(first.address, 'GET', 'auth/token/accessors?list=true', { token: first.rootToken });
    assert.ok(listed.json.data.keys.includes(accessor));
    await first.stop();

    clock.advance(2 * 3600_000);
    const second = await startDevServer({ devDataDir: dir, clock, devRootTokenId: first.rootToken });
    try {
      await eventually(async () => {
        const res = await call(second.address, 'GET', 'auth/token/accessors?list=true', { token: second.rootToken });
        assert.equal(res.status, 200, res.text);
        return !res.json.data.keys.includes(accessor);
      }, 'the expired token to leave the list');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
