import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mounts } from '../../src/core/mount-table.js';
import type { Backend } from '../../src/core/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';

const backend: Backend = { handleRequest: async () => ({}) };

async function mounts() {
  const m = new Mounts({ storage: createMemoryStorage(), clock: manualClock(0), secretEngines: {}, authMethods: {}, revokeLogins: async () => {} });
  await m.addBuiltin('secret', 'sys/', 'system', backend, '');
  await m.addBuiltin('secret', 'secret/', 'kv', backend, '');
  await m.addBuiltin('auth', 'auth/apm/', 'apm', backend, '');
  return m;
}

test('routing picks the longest mount prefix', async () => {
  const m = await mounts();
  assert.equal(m.route('secret/data/a/b')?.prefix, 'secret/');
  assert.equal(m.route('secret')?.prefix, 'secret/');
  assert.equal(m.route('auth/apm/login')?.prefix, 'auth/apm/');
  assert.equal(m.route('auth/other/login'), undefined);
  assert.equal(m.route('secretx/data'), undefined);
});

test('routing ends for every path shape, however long', async () => {
  const m = await mounts();
  for (const path of ['', '/', '//', '/x', '//x', '/secret/data/x', 'x//', '///////', '/'.repeat(10_000), `${'a/'.repeat(50_000)}secret`]) {
    const started = performance.now();
    assert.equal(m.route(path), undefined, JSON.stringify(path.slice(0, 20)));
    assert.ok(performance.now() - started < 50, `${path.length} chars`);
  }
});

test('property: for 2000 random paths, routing ends at once and returns a mount whose prefix starts the path', async () => {
  const m = await mounts();
  const pieces = ['/', '//', '.', '..', 'secret', 'sys', 'auth', 'apm', 'data', 'x', '%2F', 'secret/', 'auth/apm/'];
  let x = 0x2545f491;
  const next = (n: number) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  const started = performance.now();
  for (let i = 0; i < 2000; i++) {
    let path = '';
    for (let j = next(10); j >= 0; j--) path += pieces[next(pieces.length)];
    const found = m.route(path);
    if (found) assert.ok(`${path}/`.startsWith(found.prefix), `${path} → ${found.prefix}`);
    else assert.ok(!['secret/', 'sys/', 'auth/apm/'].some((p) => `${path}/`.startsWith(p)), `${path} has a mount`);
  }
  assert.ok(performance.now() - started < 1000);
});
