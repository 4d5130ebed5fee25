/**
 * Rate limit quotas (core/rate-limits.ts): Vault's precedence (path, longest glob, mount, global),
 * go-limiter's fixed windows per client, block_interval, exempt paths, validation, and the
 * definitions kept in storage across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimits, DEFAULT_EXEMPT_PATHS, MAX_RATE_LIMIT_QUOTAS, type RateLimitQuotaInput } from '../../src/core/rate-limits.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage, storageView } from '../../src/storage/index.js';
import { SealtrailError } from '../../src/errors/index.js';

const MOUNTS = ['secret/', 'kms/', 'auth/apm/', 'sys/'];
const mountOf = (path: string) => MOUNTS.find((m) => `${path}/`.startsWith(m));

function setup() {
  const storage = createMemoryStorage();
  const clock = manualClock(1_700_000_000_000);
  const quotas = createRateLimits({ storage: storageView(storage, 'sys/quotas/'), clock, mountOf });
  return { storage, clock, quotas };
}

const quota = (path: string, rate: number, more: Partial<RateLimitQuotaInput> = {}): RateLimitQuotaInput =>
  ({ path, rate, intervalMs: 60_000, blockIntervalMs: 0, role: '', ...more });

/** How many of `n` requests of one client on `path` are let through. */
function allowed(q: ReturnType<typeof setup>['quotas'], path: string, n: number, client = '192.0.2.1'): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (q.take(path, client)?.allowed !== false) ok++;
  return ok;
}

test('no quota: nothing is counted and the edges are told to skip the lookup', async () => {
  const { quotas } = setup();
  await quotas.load();
  assert.equal(quotas.active, false);
  assert.equal(quotas.take('secret/data/a', '192.0.2.1'), undefined);
  assert.deepEqual(quotas.config.rateLimitExemptPaths, DEFAULT_EXEMPT_PATHS);
});

test('the most specific quota counts a request, and only that one: path, longest glob, mount, global', async () => {
  const { quotas } = setup();
  await quotas.put('global', quota('', 5));
  await quotas.put('mount', quota('secret/', 4));
  await quotas.put('glob-short', quota('secret/data/*', 3));
  await quotas.put('glob-long', quota('secret/data/app/*', 2));
  await quotas.put('exact', quota('secret/data/app/db', 1));
  assert.equal(quotas.take('secret/data/app/db', 'c1')?.quota, 'exact');
  assert.equal(quotas.take('secret/data/app/db/', 'c1')?.quota, 'exact');
  assert.equal(quotas.take('secret/data/app/other', 'c1')?.quota, 'glob-long');
  assert.equal(quotas.take('secret/data/web', 'c1')?.quota, 'glob-short');
  assert.equal(quotas.take('secret/metadata/x', 'c1')?.quota, 'mount');
  assert.equal(quotas.take('kms/aws/Encrypt', 'c1')?.quota, 'global');
  assert.equal(quotas.take('nothing/mounted', 'c1')?.quota, 'global');
  // Each quota has its own count: the exact one is spent, the glob above it is not.
  assert.equal(allowed(quotas, 'secret/data/app/db', 3, 'c2'), 1);
  assert.equal(allowed(quotas, 'secret/data/app/x', 3, 'c2'), 2);
  assert.equal(allowed(quotas, 'secret/data/app/y', 3, 'c2'), 0, 'a glob counts every path under it together');
});

test('each client has its own fixed window of round(rate) requests, starting at its first request', async () => {
  const { quotas, clock } = setup();
  await quotas.put('q', quota('secret/', 2.6, { intervalMs: 10_000 }));
  const first = quotas.take('secret/a', 'c1')!;
  assert.deepEqual(first, { allowed: true, quota: 'q', limit: 3, remaining: 2, resetSeconds: 10 });
  assert.equal(allowed(quotas, 'secret/a', 5, 'c1'), 2);
  const refused = quotas.take('secret/a', 'c1')!;
  assert.equal(refused.allowed, false);
  assert.equal(refused.remaining, 0);
  assert.equal(allowed(quotas, 'secret/a', 5, 'c2'), 3, 'another client is counted apart');
  clock.advance(9_500);
  assert.equal(quotas.take('secret/a', 'c1')!.resetSeconds, 1);
  clock.advance(500);
  assert.equal(allowed(quotas, 'secret/a', 5, 'c1'), 3, 'a new window gives the full rate again');
  assert.deepEqual(quotas.violations(), new Map([['q', 3 + 1 + 2 + 1 + 2]]));
});

test('block_interval: a client over its rate is refused until the block ends, even in a new window', async () => {
  const { quotas, clock } = setup();
  await quotas.put('q', quota('secret/', 1, { intervalMs: 1000, blockIntervalMs: 300_000 }));
  assert.equal(quotas.take('secret/a', 'c1')!.allowed, true);
  const blocked = quotas.take('secret/a', 'c1')!;
  assert.equal(blocked.allowed, false);
  assert.equal(blocked.resetSeconds, 300);
  clock.advance(5_000);
  assert.equal(quotas.take('secret/a', 'c1')!.allowed, false);
  assert.equal(quotas.take('secret/a', 'c1')!.resetSeconds, 295);
  clock.advance(295_000);
  assert.equal(quotas.take('secret/a', 'c1')!.allowed, true);
});

test('exempt paths: Vault\'s defaults, exact entries and prefixes ending in *', async () => {
  const { quotas } = setup();
  await quotas.put('global', quota('', 1));
  assert.equal(allowed(quotas, 'sys/health', 10), 10);
  assert.equal(allowed(quotas, 'sys/seal-status', 10), 10);
  await quotas.setConfig({ rateLimitExemptPaths: ['/v1/secret/data/open', 'sys/quotas/*'] });
  assert.deepEqual(quotas.config.rateLimitExemptPaths, ['secret/data/open', 'sys/quotas/*']);
  assert.equal(allowed(quotas, 'secret/data/open', 10), 10);
  assert.equal(allowed(quotas, 'secret/data/open/more', 10), 1, 'an exact entry is not a prefix');
  assert.equal(allowed(quotas, 'sys/quotas/rate-limit/global', 10), 10);
  assert.equal(allowed(quotas, 'sys/health', 10, 'c9'), 1, 'the defaults are replaced, as in Vault');
});

test('definitions are checked: rate, intervals, mount path, glob, role, name, a second quota for the same path', async () => {
  const { quotas } = setup();
  const refused = async (name: string, input: RateLimitQuotaInput, code: string, pattern: RegExp) => {
    await assert.rejects(quotas.put(name, input), (err: unknown) => {
      assert.ok(err instanceof SealtrailError);
      assert.equal(err.code, code);
      assert.match(err.message, pattern);
      return true;
    });
  };
  await refused('q', quota('', 0), 'quota_invalid', /rate must be positive/);
  await refused('q', quota('', -1), 'quota_invalid', /rate must be positive/);
  await refused('q', quota('', 0.4), 'quota_invalid', /at least 0\.5/);
  await refused('q', quota('', Number.NaN), 'quota_invalid', /rate/);
  await refused('q', quota('', 1, { intervalMs: 0 }), 'quota_invalid', /interval/);
  await refused('q', quota('', 1, { blockIntervalMs: -1 }), 'quota_invalid', /block_interval/);
  // A duration too large to hold (a 310-digit number of seconds is Infinity) or past a year.
  await refused('q', quota('', 1, { intervalMs: Infinity }), 'quota_invalid', /at most a year/);
  await refused('q', quota('', 1, { intervalMs: 366 * 24 * 3600_000 }), 'quota_invalid', /at most a year/);
  await refused('q', quota('', 1, { blockIntervalMs: Infinity }), 'quota_invalid', /block_interval/);
  await refused('q', quota('', 1, { blockIntervalMs: Number.NaN }), 'quota_invalid', /block_interval/);
  await refused('q', quota('nowhere/x', 1), 'quota_invalid', /invalid mount path "nowhere\/x"/);
  await refused('q', quota('secret/a*/b', 1), 'quota_invalid', /glob/);
  await refused('q', quota('auth/apm/', 1, { role: 'web' }), 'quota_invalid', /role/);
  await refused('bad name', quota('', 1), 'quota_invalid', /name/);
  await refused('x'.repeat(129), quota('', 1), 'quota_invalid', /name/);
  await quotas.put('first', quota('secret/', 1));
  await refused('second', quota('/secret', 1), 'quota_conflict', /under the name "first"/);
  await quotas.put('first', quota('secret/', 7));
  assert.equal(quotas.get('first')!.rate, 7, 'the same name may change its own quota');
});

test('at most MAX_RATE_LIMIT_QUOTAS quotas exist', async () => {
  const { quotas } = setup();
  for (let i = 0; i < MAX_RATE_LIMIT_QUOTAS; i++) await quotas.put(`q${i}`, quota(`secret/p${i}`, 1));
  await assert.rejects(quotas.put('one-more', quota('secret/extra', 1)), /at most 1000/);
  await quotas.put('q0', quota('secret/p0', 2));
});

test('definitions and the configuration are kept in storage and read back at unseal; counters are not', async () => {
  const { storage, clock, quotas } = setup();
  await quotas.put('kept', quota('secret/data/*', 1, { intervalMs: 120_000, blockIntervalMs: 5_000 }));
  await quotas.setConfig({ enableRateLimitAuditLogging: true, enableRateLimitResponseHeaders: true });
  assert.equal(allowed(quotas, 'secret/data/x', 3), 1);
  const again = createRateLimits({ storage: storageView(storage, 'sys/quotas/'), clock, mountOf });
  await again.load();
  assert.deepEqual(again.names(), ['kept']);
  assert.deepEqual(again.get('kept'), { name: 'kept', path: 'secret/data/*', mountPath: 'secret/', pathSuffix: 'data/*', rate: 1, intervalMs: 120_000, blockIntervalMs: 5_000 });
  assert.equal(again.config.enableRateLimitAuditLogging, true);
  assert.deepEqual(again.config.rateLimitExemptPaths, DEFAULT_EXEMPT_PATHS);
  assert.equal(allowed(again, 'secret/data/x', 3), 1);
  await again.delete('kept');
  await again.delete('kept');
  assert.equal(again.active, false);
  const third = createRateLimits({ storage: storageView(storage, 'sys/quotas/'), clock, mountOf });
  await third.load();
  assert.deepEqual(third.names(), []);
});

test('a changed quota starts its clients afresh', async () => {
  const { quotas } = setup();
  await quotas.put('q', quota('secret/', 1));
  assert.equal(allowed(quotas, 'secret/a', 3), 1);
  await quotas.put('q', quota('secret/', 2));
  assert.equal(allowed(quotas, 'secret/a', 3), 2);
});

test('disabling a mount deletes its quotas, from storage too, and no other', async () => {
  const { storage, clock, quotas } = setup();
  await quotas.put('mount', quota('kms/', 1));
  await quotas.put('path', quota('kms/aws/Encrypt', 1));
  await quotas.put('other', quota('secret/', 1));
  await quotas.forgetMount('kms/');
  assert.deepEqual(quotas.names(), ['other']);
  assert.equal(quotas.take('kms/aws/Encrypt', 'c1'), undefined);
  const again = createRateLimits({ storage: storageView(storage, 'sys/quotas/'), clock, mountOf });
  await again.load();
  assert.deepEqual(again.names(), ['other']);
});

test('concurrent creations of quotas for one scope: one is stored, the others are conflicts', async () => {
  const { storage, clock, quotas } = setup();
  const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => quotas.put(`q${i}`, quota('secret/data/app', 5))));
  assert.equal(settled.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of settled) if (r.status === 'rejected') assert.equal((r.reason as SealtrailError).code, 'quota_conflict');
  // And so it stays after a restart.
  const again = createRateLimits({ storage: storageView(storage, 'sys/quotas/'), clock, mountOf });
  await again.load();
  assert.equal(again.names().length, 1);
});
