import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJournalStore, spoolDirectory, type IndexerMessage, type JournalAppend, type JournalStore } from '../../src/journal/index.js';
import { openJournalDatabase } from '../../src/journal/schema.js';
import { encodeFrame, readFrame } from '../../src/journal/spool/frame.js';
import { KEY_COLUMNS, type JournalKeys } from '../../src/journal/types.js';

const T0 = 1_780_000_000_000_000_000n;

function record(i: number, text = JSON.stringify({ i, note: 'line\nbreak "quoted" ü' })): JournalAppend {
  return { kind: 'vault-response', timeNs: T0 + BigInt(i), text, keys: { requestId: `req-${i}`, entityId: `ent-${i % 3}`, outcome: 'success' } };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-spool-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const open = (dir: string): JournalStore => createJournalStore({ path: join(dir, 'journal.db'), spool: true, indexerNice: 0 });

test('a frame carries any text and reads back the record it was made from; a cut frame is partial', () => {
  const r = record(7);
  const buf = Buffer.concat([encodeFrame(r), encodeFrame(record(8))]);
  const first = readFrame(buf, 0, buf.length);
  assert.equal(first.kind, 'frame');
  assert.deepEqual(first.kind === 'frame' && first.record, r);
  const second = first.kind === 'frame' ? readFrame(buf, first.end, buf.length) : undefined;
  assert.equal(second?.kind === 'frame' && second.end, buf.length);
  assert.equal(readFrame(buf, 0, 10).kind, 'partial');
  assert.equal(first.kind === 'frame' && readFrame(buf, 0, first.end - 1).kind, 'partial');
  assert.equal(readFrame(Buffer.from('x7 []\n'), 0, 6).kind, 'corrupt');
});

test('keys of any content survive a frame: quotes, backslashes, control characters, lone surrogates, non-ASCII', () => {
  const values = ['plain', 'a"b', 'back\\slash', 'tab\tnew\nline\u0000', 'lone \ud800 surrogate', 'ünïcødé 🔑', ''];
  for (const value of values) {
    const r: JournalAppend = { ...record(1), keys: { requestId: value, path: `secret/${value}`, outcome: 'failure' } };
    const read = readFrame(encodeFrame(r), 0, encodeFrame(r).length);
    assert.equal(read.kind, 'frame', JSON.stringify(value));
    assert.deepEqual(read.kind === 'frame' && read.record.keys, JSON.parse(JSON.stringify(r.keys)), JSON.stringify(value));
  }
});

test('every key survives a frame, and the header is exactly JSON.stringify([kind, time, keys])', () => {
  const keys = Object.fromEntries(Object.keys(KEY_COLUMNS).map((name, i) => [name, i % 2 === 0 ? `${name}-${i}` : `${name} "${i}"\n`])) as JournalKeys;
  const r: JournalAppend = { ...record(3), keys };
  const frame = encodeFrame(r);
  const read = readFrame(frame, 0, frame.length);
  assert.deepEqual(read.kind === 'frame' && read.record.keys, keys);
  const header = frame.subarray(11, frame.indexOf(0x0a)).toString('utf8');
  assert.equal(header, JSON.stringify([r.kind, String(r.timeNs), keys]));
});

test('headers of consecutive records sharing keys, or not, are each exactly JSON.stringify([kind, time, keys])', () => {
  const base: JournalKeys = { requestId: 'r1', accessor: 'hmac-sha256:ab', remoteAddress: '127.0.0.1', path: 'secret/data/a', operation: 'read', outcome: 'success' };
  const sequence: JournalKeys[] = [
    base,
    { ...base, requestId: 'r2' },
    { ...base, requestId: 'r2', outcome: 'failure' },
    { accessor: 'hmac-sha256:ab', remoteAddress: '127.0.0.1', path: 'secret/data/a', operation: 'read', outcome: 'failure' },
    { ...base, path: 'secret/data/"quoted"\\' },
    { ...base, path: 'secret/data/"quoted"\\' },
    { requestId: 'r3' },
    {},
    base,
  ];
  const buf = Buffer.concat(sequence.map((keys, i) => encodeFrame({ ...record(i), keys })));
  let at = 0;
  sequence.forEach((keys, i) => {
    const header = buf.subarray(at + 11, buf.indexOf(0x0a, at)).toString('utf8');
    assert.equal(header, JSON.stringify([record(i).kind, String(record(i).timeNs), keys]), `record ${i}`);
    const read = readFrame(buf, at, buf.length);
    assert.equal(read.kind, 'frame');
    if (read.kind === 'frame') at = read.end;
  });
});

test('spooled appends are acknowledged, then indexed with dense seqs in order; caughtUp waits for the index', async () => {
  await withDir(async (dir) => {
    const store = open(dir);
    try {
      await Promise.all(Array.from({ length: 300 }, (_, i) => store.append(record(i))));
      assert.equal(await store.caughtUp(10_000), true);
      const rows = (await store.readSince(-1, 1000));
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 300 }, (_, i) => i));
      assert.deepEqual(rows.map((r) => r.text), Array.from({ length: 300 }, (_, i) => record(i).text));
      assert.deepEqual(rows[5].keys, record(5).keys);
      assert.deepEqual((await store.query({ order: 'asc', limit: 10, keys: { requestId: 'req-42' } })).map((r) => r.seq), [42]);
      // Indexed segments are removed; the one being written stays.
      assert.ok(readdirSync(spoolDirectory(join(dir, 'journal.db'))).length <= 1);
    } finally {
      await store.close();
    }
  });
});

test('acknowledged records left unindexed (the process stopped) are indexed once by the next start; a torn tail is cut', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const first = open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => first.append(record(i))));
    await first.caughtUp(10_000);
    await first.close();
    // As a killed process leaves it: a segment of acknowledged frames nobody indexed, ending in
    // the fragment of a write that never finished.
    const spool = spoolDirectory(path);
    const segment = join(spool, '0000000099.seg');
    writeFileSync(segment, Buffer.concat(Array.from({ length: 30 }, (_, i) => encodeFrame(record(100 + i)))));
    const whole = statSync(segment).size;
    appendFileSync(segment, encodeFrame(record(999)).subarray(0, 40));
    const second = open(dir);
    try {
      assert.equal(await second.caughtUp(10_000), true);
      const rows = (await second.readSince(-1, 1000));
      assert.equal(rows.length, 50, 'the 20 indexed before, the 30 whole frames; not the fragment');
      assert.deepEqual(rows.slice(20).map((r) => r.keys.requestId), Array.from({ length: 30 }, (_, i) => `req-${100 + i}`));
      assert.equal(new Set(rows.map((r) => r.keys.requestId)).size, 50, 'none twice');
      await second.append(record(500));
      assert.equal(await second.caughtUp(10_000), true);
      assert.equal((await second.readSince(49, 10))[0].keys.requestId, 'req-500', 'later appends follow, after the cut');
      assert.ok(whole > 0);
    } finally {
      await second.close();
    }
    const third = open(dir);
    try {
      assert.equal(await third.caughtUp(10_000), true);
      assert.equal((await third.count()), 51, 'a restart indexes nothing twice');
    } finally {
      await third.close();
    }
  });
});

test('a record too large for a frame is refused alone; its batch neighbours are kept', async () => {
  await withDir(async (dir) => {
    const store = open(dir);
    try {
      const huge = record(1, 'x'.repeat(64 * 1024 * 1024 + 1));
      const results = await Promise.allSettled([store.append(record(0)), store.append(huge), store.append(record(2))]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal(await store.caughtUp(10_000), true);
      assert.deepEqual((await store.readSince(-1, 10)).map((r) => r.keys.requestId), ['req-0', 'req-2']);
    } finally {
      await store.close();
    }
  });
});

/** This process's threads' nice values (Linux /proc), by thread id. */
function threadNice(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}

test('the indexer is one thread at the lowest priority, alive while idle', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  await withDir(async (dir) => {
    const store = createJournalStore({ path: join(dir, 'journal.db'), spool: true });
    try {
      await store.append(record(1));
      assert.equal(await store.caughtUp(10_000), true);
      const low = () => [...threadNice()].filter(([, nice]) => nice === 19).map(([tid]) => tid);
      const first = low();
      assert.equal(first.length, 1, 'one thread at nice 19');
      // Idle past the restart delay: the same thread is still there (it does not exit and restart).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual(low(), first);
      await store.append(record(2));
      assert.equal(await store.caughtUp(10_000), true);
      assert.equal((await store.count()), 2);
    } finally {
      await store.close();
    }
    assert.deepEqual([...threadNice().values()].filter((n) => n === 19), [], 'closing the journal ends the thread');
  });
});

test('while the thread answering requests is busy, the indexer holds back; a waiting query is answered at once', async () => {
  await withDir(async (dir) => {
    const store = open(dir);
    // Keeps this thread busy (as under load) for `ms`, yielding to the event loop between slices.
    const busy = async (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const slice = performance.now() + 20;
        while (performance.now() < slice) { /* the work of requests */ }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      await busy(400);
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(record(i))));
      await busy(600);
      assert.equal((await store.count()), 0, 'nothing indexed while busy');
      const asked = performance.now();
      assert.equal(await store.caughtUp(10_000), true);
      assert.equal((await store.count()), 100);
      assert.ok(performance.now() - asked < 5_000, 'a waiting query is not held back');
    } finally {
      await store.close();
    }
  });
});

test('while records stream in, the indexer holds back even when this thread is mostly idle; a waiting query is answered at once', async () => {
  await withDir(async (dir) => {
    const store = open(dir);
    const text = JSON.stringify({ pad: 'x'.repeat(2000) });
    try {
      // The indexer is up and idle.
      await store.append(record(0));
      assert.equal(await store.caughtUp(10_000), true);
      // ~800 KB per 100 ms in bursts 10 ms apart: a server whose clients share its cores sees its
      // event loop mostly idle while requests keep coming.
      let n = 1;
      const until = performance.now() + 1000;
      while (performance.now() < until) {
        await Promise.all(Array.from({ length: 40 }, () => store.append(record(n++, text))));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Only what came before a sample (100 ms) showed the stream; an indexer that does not hold
      // back keeps within a gathering (200 ms) of all of it.
      const indexed = await store.count();
      assert.ok(indexed < n / 4, `${indexed} of ${n} indexed while records streamed in`);
      assert.equal(await store.caughtUp(10_000), true);
      assert.equal((await store.count()), n);
    } finally {
      await store.close();
    }
  });
});

test('a retention purge runs on the indexer thread: while it waits for the database, this thread answers, appends and searches; then the expired records are gone and the rest kept', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    // Records 0..9 are a day old, 10..19 a minute old; the retention is an hour.
    const now = Number(T0 / 1_000_000n) + 24 * 3600_000;
    const aged = (i: number): JournalAppend => ({ ...record(i), timeNs: BigInt(now - (i < 10 ? 24 * 3600_000 : 60_000)) * 1_000_000n + BigInt(i) });
    const store = createJournalStore({ path, spool: true, indexerNice: 0, retentionMs: 3600_000, clock: { now: () => now } });
    const other = openJournalDatabase(path);
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(aged(i))));
      assert.equal(await store.caughtUp(10_000), true);
      // Another connection holds the write lock: a DELETE waits for it (up to the busy timeout).
      other.exec('BEGIN IMMEDIATE');
      const purged = store.purgeExpired();
      let settled = false;
      purged.then(() => { settled = true; }, () => { settled = true; });
      const started = performance.now();
      await sleep(20);
      assert.ok(performance.now() - started < 1000, 'this thread answers while the purge waits');
      await store.append(aged(20));
      assert.deepEqual((await store.query({ order: 'asc', limit: 10, keys: { requestId: 'req-15' } })).map((r) => r.seq), [15]);
      assert.equal(settled, false, 'the purge waits for the lock, elsewhere');
      other.exec('COMMIT');
      assert.equal(await purged, 10);
      assert.equal(await store.caughtUp(10_000), true);
      assert.deepEqual((await store.readSince(-1, 100)).map((r) => r.seq), Array.from({ length: 11 }, (_, i) => i + 10));
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await store.close();
    }
  });
});

test('with a ledger, a purge removes only records the ledger holds: a record never leaves the journal before it entered the ledger', async () => {
  await withDir(async (dir) => {
    const now = Number(T0 / 1_000_000n) + 24 * 3600_000;
    const old = (i: number): JournalAppend => ({ ...record(i), timeNs: BigInt(now - 24 * 3600_000) * 1_000_000n + BigInt(i) });
    const openWith = (name: string, ledgerDir: string, onIndexer: (m: IndexerMessage) => void) =>
      createJournalStore({ path: join(dir, name, 'journal.db'), spool: true, indexerNice: 0, ledgerDir, onIndexer, retentionMs: 3600_000, clock: { now: () => now } });
    // A ledger that cannot write (its directory is a file) holds nothing: every record stays.
    writeFileSync(join(dir, 'not-a-dir'), '');
    let failing = false;
    const stuck = openWith('stuck', join(dir, 'not-a-dir'), (m) => { if (m.kind === 'ledger_failing') failing = true; });
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => stuck.append(old(i))));
      assert.equal(await stuck.caughtUp(10_000), true);
      for (let i = 0; i < 100 && !failing; i++) await sleep(50);
      assert.equal(failing, true);
      assert.equal(await stuck.purgeExpired(), 0);
      assert.equal(await stuck.count(), 10);
    } finally {
      await stuck.close();
    }
    // A ledger that follows: once it holds the records, they go.
    let size = 0;
    const store = openWith('ok', join(dir, 'ledger'), (m) => { if (m.kind === 'ledger') size = m.size; });
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(old(i))));
      assert.equal(await store.caughtUp(10_000), true);
      for (let i = 0; i < 100 && size < 10; i++) await sleep(50);
      assert.equal(size, 10);
      assert.equal(await store.purgeExpired(), 10);
      assert.equal(await store.count(), 0);
    } finally {
      await store.close();
    }
  });
});
