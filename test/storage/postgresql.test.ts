/** PostgreSQL specifics beyond the conformance suite: the HA lock and write fence, lost connections. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresHaBackend, createPostgresStorage } from '../../src/storage/postgresql/index.js';
import { storageError } from '../../src/storage/postgresql/pg-errors.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';

let cluster: PostgresCluster;
before(async () => { cluster = await startPostgres(); });
after(() => cluster?.destroy());
const v = (s: string) => new TextEncoder().encode(s);

test('the lock: one holder at a time, by the database clock; renew only while ours; release frees it', async () => {
  const url = cluster.createDatabase('locks');
  const storage = await createPostgresStorage({ connectionUrl: url, ha: true });
  const ha = createPostgresHaBackend({ connectionUrl: url, queryTimeoutMs: 2000 });
  try {
    assert.equal(await ha.holder(), undefined);
    assert.equal(await ha.tryAcquire('a', 'http://127.0.0.1:1', 1000), true);
    assert.equal(await ha.tryAcquire('b', 'http://127.0.0.1:2', 1000), false);
    assert.equal((await ha.holder())?.apiAddr, 'http://127.0.0.1:1');
    assert.equal(await ha.renew('a', 1000), true);
    assert.equal(await ha.renew('b', 1000), false);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await ha.renew('a', 1000), false, 'an expired lease is not renewed');
    assert.equal(await ha.tryAcquire('b', 'http://127.0.0.1:2', 1000), true);
    await ha.release('a'); // not the holder: nothing happens
    assert.equal((await ha.holder())?.nodeId, 'b');
    await ha.release('b');
    assert.equal(await ha.holder(), undefined);
    await ha.echo('a', 'http://127.0.0.1:1');
    await ha.echo('a', 'http://127.0.0.1:9');
    assert.deepEqual((await ha.nodes()).map((n) => [n.nodeId, n.apiAddr]), [['a', 'http://127.0.0.1:9']]);
  } finally {
    await ha.close();
    await storage.close();
  }
});

test('the write fence: a node writes only while it holds the lock or nobody does', async () => {
  const url = cluster.createDatabase('fence');
  const a = await createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => 'a' });
  const ha = createPostgresHaBackend({ connectionUrl: url, queryTimeoutMs: 2000 });
  try {
    await a.put('free', v('nobody holds the lock'));
    assert.equal(await ha.tryAcquire('a', 'http://127.0.0.1:1', 5000), true);
    await a.transaction([{ op: 'put', key: 'mine', value: v('1') }, { op: 'delete', key: 'free' }]);
    await ha.release('a');
    assert.equal(await ha.tryAcquire('b', 'http://127.0.0.1:2', 5000), true);
    for (const write of [() => a.put('late', v('x')), () => a.delete('mine'), () => a.transaction([{ op: 'put', key: 'late', value: v('x') }]), () => a.putIfAbsent('late', v('x'))]) {
      await assert.rejects(write(), { name: 'SealtrailError', code: 'ha_not_active' });
    }
    assert.equal(await a.get('late'), undefined);
    assert.deepEqual(Buffer.from((await a.get('mine'))!).toString(), '1');
    assert.equal(await a.get('free'), undefined);
  } finally {
    await ha.close();
    await a.close();
  }
});

test('a deposed node writes nothing once another node has held the lock, even after that node released it', async () => {
  const url = cluster.createDatabase('deposed');
  const a = await createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => 'a' });
  const b = await createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => 'b' });
  const ha = createPostgresHaBackend({ connectionUrl: url, queryTimeoutMs: 2000 });
  try {
    assert.equal(await ha.tryAcquire('a', 'http://127.0.0.1:1', 300), true);
    await a.put('k', v('from a'));
    await new Promise((r) => setTimeout(r, 400)); // a's lease runs out (a stalled)
    assert.equal(await ha.tryAcquire('b', 'http://127.0.0.1:2', 5000), true);
    await b.put('k', v('from b'));
    await ha.release('b'); // b steps down; a wakes before anyone takes the lock
    await assert.rejects(a.put('k', v('stale, from a')), { name: 'SealtrailError', code: 'ha_not_active' });
    assert.equal(Buffer.from((await b.get('k'))!).toString(), 'from b');
    await b.put('after', v('b released the lock and no one took it: its own last writes still land'));
  } finally {
    await ha.close();
    await a.close();
    await b.close();
  }
});

test('a takeover waits for a fenced write in flight, and sees it', async () => {
  const url = cluster.createDatabase('inflight');
  const a = await createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => 'a' });
  const ha = createPostgresHaBackend({ connectionUrl: url, queryTimeoutMs: 5000 });
  try {
    assert.equal(await ha.tryAcquire('a', 'http://127.0.0.1:1', 400), true);
    // A transaction that holds the lock row's share lock while its lease runs out.
    const client = await a.pool.connect();
    await client.query('BEGIN');
    await client.query(`SELECT 1 FROM sealtrail_ha_locks WHERE name = 'active' AND holder_id = 'a' AND expires_at > now() FOR SHARE`);
    await client.query(`INSERT INTO sealtrail_kv_store (key, parent_path, value) VALUES ('slow', '', '\\x01')`);
    await new Promise((r) => setTimeout(r, 500));
    let acquiredAt = 0;
    const takeover = ha.tryAcquire('b', 'http://127.0.0.1:2', 5000).then((ok) => { acquiredAt = Date.now(); return ok; });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(acquiredAt, 0, 'the takeover waits for the fenced transaction');
    const committedAt = Date.now();
    await client.query('COMMIT');
    client.release();
    assert.equal(await takeover, true);
    assert.ok(acquiredAt >= committedAt);
    assert.deepEqual([...(await a.get('slow'))!], [1]);
  } finally {
    await ha.close();
    await a.close();
  }
});

test('a database that goes away is a 503 storage_unavailable naming no URL or password, and the storage recovers', async () => {
  const url = cluster.createDatabase('outage').replace('postgres@', 'postgres:pw-not-shown@');
  const s = await createPostgresStorage({ connectionUrl: url, maxParallel: 2 });
  try {
    await s.put('k', v('before'));
    cluster.stop();
    try {
      for (const op of [() => s.get('k'), () => s.put('k', v('x')), () => s.list(''), () => s.transaction([{ op: 'put', key: 'k', value: v('x') }])]) {
        const err = await op().then(() => undefined, (e: Error & { code?: string; kind?: string }) => e);
        assert.equal(err?.code, 'storage_unavailable');
        assert.equal(err?.kind, 'unavailable');
        assert.doesNotMatch(err!.message, /pw-not-shown|postgres:\/\//);
      }
    } finally {
      cluster.start();
    }
    assert.equal(Buffer.from((await s.get('k'))!).toString(), 'before');
  } finally {
    await s.close();
  }
});

test('a database that cannot be opened at start says why, without the password', async () => {
  const err = await createPostgresStorage({ connectionUrl: 'postgres://u:pw-not-shown@127.0.0.1:1/none' }).then(() => undefined, (e: Error & { code?: string }) => e);
  assert.equal(err?.code, 'storage_unavailable');
  assert.match(err!.message, /^cannot open the PostgreSQL storage at postgres:\/\/127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
  assert.doesNotMatch(err!.message, /pw-not-shown/);
  const missing = await createPostgresStorage({ connectionUrl: `postgres://postgres:pw-not-shown@127.0.0.1:${cluster.port}/no_such_db` }).then(() => undefined, (e: Error & { code?: string }) => e);
  assert.match(missing!.message, /database "no_such_db" does not exist/);
  assert.doesNotMatch(missing!.message, /pw-not-shown/);
});

test('what PostgreSQL says when it cannot take writes is unavailable (503), not an internal error', () => {
  // SQLSTATE, as the driver gives it on `code`: 53100 disk full, 25006 a read-only transaction
  // (default_transaction_read_only, a server in recovery), 57P01 an administrator's shutdown.
  for (const code of ['53100', '25006', '57P01', '08006']) assert.equal(storageError(Object.assign(new Error('x'), { code })).code, 'storage_unavailable', code);
  for (const code of ['23505', '25001', '42P01']) assert.equal(storageError(Object.assign(new Error('x'), { code })).code, 'storage_failed', code);
});

test('a write that times out waiting on a lock is cancelled in the database too: it never lands later, and leaves no session behind', async () => {
  const url = cluster.createDatabase('stuck');
  const s = await createPostgresStorage({ connectionUrl: url, maxParallel: 2, queryTimeoutMs: 1000 });
  const blocker = await s.pool.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE sealtrail_kv_store IN SHARE MODE'); // an operator's maintenance, say
    for (const key of ['a', 'b', 'c']) await assert.rejects(s.put(key, v('answered 503')), { code: 'storage_unavailable' });
    const waiting = await blocker.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    assert.equal(Number(waiting.rows[0].n), 0, 'no statement given up on is left waiting in the database');
    await blocker.query('COMMIT');
    await new Promise((r) => setTimeout(r, 300));
    for (const key of ['a', 'b', 'c']) assert.equal(await s.get(key), undefined, `the write of ${key}, answered 503, never lands`);
  } finally {
    blocker.release();
    await s.close();
  }
});

test('a node without ha_enabled refuses a database an HA cluster uses: it would serve beside the active, unfenced and with its own cache', async () => {
  const url = cluster.createDatabase('mixed');
  const single = await createPostgresStorage({ connectionUrl: url });
  await single.close(); // a database that never saw HA opens either way
  const node = await createPostgresStorage({ connectionUrl: url, ha: true, fenceNodeId: () => 'a' });
  const ha = createPostgresHaBackend({ connectionUrl: url, queryTimeoutMs: 2000 });
  try {
    assert.equal(await ha.tryAcquire('a', 'http://127.0.0.1:1', 5000), true);
    const err = await createPostgresStorage({ connectionUrl: url.replace('postgres@', 'postgres:pw-not-shown@') }).then(async (s) => { await s.close(); return undefined; }, (e: Error) => e);
    assert.match(err?.message ?? 'it opened', /HA cluster.*ha_enabled = true/);
    assert.doesNotMatch(err!.message, /pw-not-shown/);
    await ha.release('a');
    const stillRefused = await createPostgresStorage({ connectionUrl: url }).then(async (s) => { await s.close(); return undefined; }, (e: Error) => e);
    assert.ok(stillRefused, 'refused between two leaders too: the cluster comes back');
  } finally {
    await ha.close();
    await node.close();
  }
});
