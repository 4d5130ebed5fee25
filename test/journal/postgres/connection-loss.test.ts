/**
 * PostgreSQL connections lost while the journal, its ledger and the event store are writing (a
 * restart, a reset, a network cut): the writes in flight fail, the process lives on, and writes
 * succeed again once the database is back. A pooled client checked out for a commit used to have
 * no 'error' listener, and pg's Client emits 'error' when its connection dies: an uncaught
 * 'error' event ended the process (and with it this test run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPostgresJournalStore } from '../../../src/journal/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../../src/trail/format.js';
import { createPostgresEventStore } from '../../../src/trail/store/postgres/pg-event-store.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { kmsEvent } from '../../trail/fixtures.js';
import { freshDatabase } from '../backends.js';

const record = (i: number) => ({ kind: 'server' as const, timeNs: 1_780_000_000_000_000_000n + BigInt(i), text: JSON.stringify({ i }), keys: {} });

test('postgresql: connections cut under load fail the writes in flight, never the process; writes resume after', async () => {
  const direct = new URL(await freshDatabase());
  const proxy = await startTcpProxy(Number(direct.port));
  const url = new URL(direct);
  url.port = String(proxy.port);
  const idleErrors: Error[] = [];
  const journal = await createPostgresJournalStore({ url: url.href, ledger: true, onConnectionError: (err) => void idleErrors.push(err) });
  const events = await createPostgresEventStore({
    url: url.href, encryptionKey: new Uint8Array(32).fill(7), clock: manualClock(Date.UTC(2026, 11, 6)), purgeIntervalMs: 0,
    onError: (err) => void idleErrors.push(err),
  });
  try {
    let next = 0;
    const wave = (n: number) => Array.from({ length: n }, () => {
      const i = next++;
      return [
        journal.append(record(i)),
        events.append({ record: formatCloudTrailRecord(kmsEvent({ eventId: `e-${i}` })), timeMs: Date.UTC(2026, 11, 6) + i }),
      ];
    }).flat();
    for (let round = 0; round < 3; round++) {
      // Cut while a commit is on the wire (held by the proxy): its client is checked out of its pool.
      const committing = proxy.holdAt('COMMIT');
      const inFlight = wave(200);
      await committing;
      proxy.cut();
      const settled = await Promise.allSettled(inFlight);
      proxy.heal();
      assert.ok(settled.some((s) => s.status === 'rejected'), `round ${round}: the cut failed some writes`);
      // Back: new writes commit (a pool may hand out a dead idle client once; retry a few times).
      let ok = false;
      for (let attempt = 0; attempt < 20 && !ok; attempt++) {
        const after = await Promise.allSettled(wave(5));
        ok = after.every((s) => s.status === 'fulfilled');
        if (!ok) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(ok, `round ${round}: writes resume once the database is reachable`);
    }
  } finally {
    await events.close();
    await journal.close();
    await proxy.close();
  }
});
