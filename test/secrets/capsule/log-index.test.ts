import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { manualClock } from '../../../src/lib/clock.js';
import { parseLogQuery, runLogQuery } from '../../../src/secrets/capsule/log/query.js';
import { ACCESS_PREFIX, CONTROL_PREFIX, capsuleLogs } from '../../../src/secrets/capsule/log/store.js';
import type { AccessRecord } from '../../../src/secrets/capsule/log/records.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.js';
import type { Storage, StorageOp } from '../../../src/storage/types.js';
import { T0_MS } from './helpers.js';

const RECORDS = 30_000;
const ACCESS_FILTERS = ['capsule', 'operation', 'session'] as const;

const record = (i: number): Omit<AccessRecord, 'id' | 'time'> => ({
  domain: 'dm-test', capsule: `ca-${i % 1000}`, operation: i % 3 === 0 ? 'create' : 'read', session: `sn-${String(i % 50).padStart(22, '0')}`,
  principal: null, location: null, create_info: null, open_info: null, read_info: null,
});

/** Counts reads, and can hold transactions back to apply them as one (seeding 30k records fast). */
function instrumented(storage: Storage) {
  const counts = { get: 0, list: 0 };
  let held: StorageOp[] | undefined;
  const wrapped: Storage = {
    ...storage,
    get: (key) => (counts.get++, storage.get(key)),
    list: (prefix) => (counts.list++, storage.list(prefix)),
    transaction: async (ops) => { if (held) held.push(...ops); else await storage.transaction(ops); },
  };
  return {
    storage: wrapped,
    counts,
    hold: () => { held = []; },
    async release() { const ops = held!; held = undefined; await storage.transaction(ops); },
    reset() { counts.get = 0; counts.list = 0; },
  };
}

test('at 30k records a filter that matches nothing reads no record, and the index is a key-range search', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-capsule-index-'));
  const path = join(dir, 'kv.db');
  const sqlite = createSqliteStorage({ path });
  try {
    const s = instrumented(sqlite);
    const clock = manualClock(T0_MS);
    const logs = capsuleLogs(s.storage, clock);
    await logs.open();
    s.hold();
    for (let i = 0; i < RECORDS; i++) {
      await logs.appendAccess(record(i));
      if (i % 100 === 0) clock.advance(1);
    }
    await s.release();

    const query = (data: Record<string, unknown>) => runLogQuery<AccessRecord & Record<string, unknown>>(logs, ACCESS_PREFIX, parseLogQuery(data, ACCESS_FILTERS));
    for (const filter of [{ capsule: 'ca-none' }, { session: 'sn-none' }, { capsule: 'ca-7', session: `sn-${'0'.repeat(21)}1` }]) {
      s.reset();
      const started = performance.now();
      const res = await query(filter);
      const ms = performance.now() - started;
      assert.deepEqual(res, { results: [], has_more: false }, JSON.stringify(filter));
      assert.equal(s.counts.get, 0, `no record read for ${JSON.stringify(filter)}`);
      assert.ok(s.counts.list <= 2, `${s.counts.list} index lists`);
      assert.ok(ms < 1000, `${ms.toFixed(1)} ms for ${JSON.stringify(filter)}`);
    }

    // A filter that matches reads exactly the records it returns.
    s.reset();
    const one = await query({ capsule: 'ca-7', order: 'asc' });
    assert.equal(one.results.length, 30);
    assert.ok(one.results.every((r) => r.capsule === 'ca-7'));
    assert.equal(s.counts.get, 30);
    const both = await query({ capsule: 'ca-7', operation: 'create' });
    assert.deepEqual(both.results.map((r) => r.operation), Array(10).fill('create'));
    const paged = await query({ operation: 'read', num_results: 5 });
    assert.equal(paged.results.length, 5);
    assert.equal(paged.has_more, true);

    // An index lookup is one range search on the key index, not a scan of the table.
    const db = new Database(path, { readonly: true });
    try {
      const plan = db.prepare('EXPLAIN QUERY PLAN SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key').all('log/index/access/capsule/', 'log/index/access/capsule0') as Array<{ detail: string }>;
      assert.deepEqual(plan.map((p) => p.detail), ['SEARCH kv USING PRIMARY KEY (key>? AND key<?)']);
    } finally {
      db.close();
    }
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records written before the index existed are indexed when the logs open', async () => {
  const storage = createMemoryStorage();
  const clock = manualClock(T0_MS);
  // Records as an earlier version stored them: the record only, no index, no marker.
  const old = capsuleLogs(storage, clock);
  await old.open();
  const a = await old.appendAccess(record(1));
  const c = await old.appendControl({ session: 'sn-x', url: '/v1/capsule/keys/rotate', summary: 's', description: {} });
  for (const key of storage.keys()) if (key.startsWith('log/index')) await storage.delete(key); // the index and its marker, log/indexed

  const reopened = capsuleLogs(storage, clock);
  await reopened.open();
  assert.deepEqual((await runLogQuery(reopened, ACCESS_PREFIX, parseLogQuery({ capsule: 'ca-1' }, ACCESS_FILTERS))).results, [a]);
  assert.deepEqual((await runLogQuery(reopened, CONTROL_PREFIX, parseLogQuery({ session: 'sn-x' }, ['session']))).results, [c]);
});
