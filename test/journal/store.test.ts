import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalAppend, JournalPosition, JournalQuery, JournalStore } from '../../src/journal/index.js';
import { BACKENDS, type JournalBackend } from './backends.js';

const T0 = 1_780_000_000_000_000_000n;

function record(i: number, over: Partial<JournalAppend> = {}): JournalAppend {
  return {
    kind: i % 2 === 0 ? 'vault-request' : 'vault-response',
    timeNs: T0 + BigInt(i) * 1000n,
    text: JSON.stringify({ i }),
    keys: { requestId: `req-${Math.floor(i / 2)}`, entityId: `ent-${i % 3}`, path: i % 4 === 0 ? 'secret/data/a' : 'sys/mounts', outcome: i % 5 === 0 ? 'failure' : 'success' },
    ...over,
  };
}

/** The plan names this index (on PostgreSQL, an index scan of it). */
const usesIndex = (backend: JournalBackend, index: string): RegExp => (backend.name === 'sqlite' ? new RegExp(`INDEX ${index} `) : new RegExp(`Index (Only )?Scan (Backward )?using ${index} `));

async function withStore(backend: JournalBackend, fn: (store: JournalStore) => Promise<void>): Promise<void> {
  // PostgreSQL: a few rows are cheaper to scan and sort than to read through an index; the plans
  // checked here are those of a large journal, where the planner takes the indexes.
  const { store, dispose } = await backend.open({ preferIndexes: true });
  try {
    await fn(store);
  } finally {
    await dispose();
  }
}

for (const backend of BACKENDS) {
  test(`${backend.name}: appends made together share a commit and get dense seqs in call order`, async () => {
    await withStore(backend, async (store) => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(record(i))));
      assert.equal((await store.lastSeq()), 49);
      assert.deepEqual((await store.readSince(-1, 100)).map((r) => [r.seq, r.text]), Array.from({ length: 50 }, (_, i) => [i, record(i).text]));
      const [first] = (await store.readSince(-1, 1));
      assert.deepEqual(first, { seq: 0, ...record(0), keys: record(0).keys });
    });
  });

  test(`${backend.name}: a new journal\'s first record is seq 0 (imported or live); AUTOINCREMENT goes on from 1 and never reuses a seq, even once emptied`, async () => {
    await withStore(backend, async (store) => {
      assert.equal((await store.lastSeq()), -1, 'empty');
      assert.deepEqual((await store.importBatch([record(0, { origin: { file: 'a.log', line: 1 } })])), { added: 1, duplicates: 0 });
      await store.append(record(1));
      assert.deepEqual((await store.readSince(-1, 10)).map((r) => r.seq), [0, 1]);
    });
    let now = Number(T0 / 1_000_000n) + 10 * 24 * 3600_000;
    const { store, dispose } = await backend.open({ retentionMs: 3600_000, clock: { now: () => now } });
    try {
      await store.append(record(0));
      await store.append(record(1));
      assert.equal((await store.purgeExpired()), 2);
      assert.equal((await store.count()), 0);
      now += 1;
      await store.append(record(2, { timeNs: BigInt(now) * 1_000_000n }));
      assert.deepEqual((await store.readSince(-1, 10)).map((r) => r.seq), [2], 'not 0 again');
    } finally {
      await dispose();
    }
  });

  test(`${backend.name}: time survives to the nanosecond (beyond 2^53)`, async () => {
    await withStore(backend, async (store) => {
      const timeNs = T0 + 123_456_789n;
      await store.append(record(0, { timeNs }));
      assert.equal((await store.readSince(-1, 1))[0].timeNs, timeNs);
    });
  });

  test(`${backend.name}: every filter selects exactly the matching records, in both orders`, async () => {
    await withStore(backend, async (store) => {
      const all = Array.from({ length: 60 }, (_, i) => record(i));
      await Promise.all(all.map((r) => store.append(r)));
      const cases: [Partial<JournalQuery>, (r: JournalAppend, i: number) => boolean][] = [
        [{ kinds: ['vault-response'] }, (r) => r.kind === 'vault-response'],
        [{ keys: { entityId: 'ent-1' } }, (r) => r.keys.entityId === 'ent-1'],
        [{ keys: { requestId: 'req-7' } }, (r) => r.keys.requestId === 'req-7'],
        [{ keys: { outcome: 'failure' } }, (r) => r.keys.outcome === 'failure'],
        [{ pathPrefix: 'secret/' }, (r) => r.keys.path!.startsWith('secret/')],
        [{ sinceNs: T0 + 10_000n, untilNs: T0 + 20_000n }, (_r, i) => i >= 10 && i <= 20],
        [{ kinds: ['vault-request'], keys: { entityId: 'ent-0' } }, (r) => r.kind === 'vault-request' && r.keys.entityId === 'ent-0'],
        [{ kinds: ['vault-request', 'cloudtrail', 'vault-response'] }, () => true],
        [{ kinds: ['vault-response', 'cloudtrail'], sinceNs: T0 + 10_000n }, (r, i) => r.kind === 'vault-response' && i >= 10],
        [{ kinds: ['vault-response'], keys: { outcome: 'failure' } }, (r) => r.kind === 'vault-response' && r.keys.outcome === 'failure'],
        [{ kinds: ['vault-request', 'vault-response'], keys: { outcome: 'failure' } }, (r) => r.keys.outcome === 'failure'],
        [{ kinds: ['vault-request', 'vault-response'], keys: { entityId: 'ent-2' } }, (r) => r.keys.entityId === 'ent-2'],
      ];
      for (const [filter, match] of cases) {
        const expected = all.map((r, i) => ({ r, seq: i, i })).filter(({ r, i }) => match(r, i)).map(({ seq }) => seq);
        assert.ok(expected.length > 0);
        const asc = (await store.query({ order: 'asc', limit: 1000, ...filter })).map((r) => r.seq);
        const desc = (await store.query({ order: 'desc', limit: 1000, ...filter })).map((r) => r.seq);
        assert.deepEqual(asc, expected, show(filter));
        assert.deepEqual(desc, [...expected].reverse());
      }
    });
  });

  test(`${backend.name}: keyset pages neither skip nor repeat while records arrive (one kind or several)`, async () => {
    await withStore(backend, async (store) => {
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.append(record(i))));
      for (const [order, kinds] of [['asc', undefined], ['desc', undefined], ['asc', ['vault-request', 'vault-response']], ['desc', ['vault-response', 'vault-request']]] as const) {
        const seen: number[] = [];
        let after: JournalPosition | undefined;
        const through = (await store.lastSeq());
        const whole = (await store.query({ order, kinds, limit: 1000, throughSeq: through })).map((r) => r.seq);
        assert.equal(whole.length, through + 1);
        for (let page = 0; page < 50; page++) {
          const rows = (await store.query({ order, kinds, limit: 4, after, throughSeq: through }));
          if (rows.length === 0) break;
          seen.push(...rows.map((r) => r.seq));
          after = { timeNs: rows.at(-1)!.timeNs, seq: rows.at(-1)!.seq };
          // A live record (newest) and an imported one from the past arrive between pages.
          await store.append(record(1000 + page + (order === 'asc' ? 0 : 500) + (kinds ? 100 : 0)));
          (await store.importBatch([record(3000 + page + (order === 'asc' ? 0 : 500) + (kinds ? 100 : 0), { timeNs: T0 + 5n, origin: { file: 'old.log', line: page + 1 } })]));
        }
        assert.deepEqual(seen, whole, 'the pages are the first page\'s set, each record once, in order');
      }
    });
  });

  test(`${backend.name}: importing the same records twice adds nothing; imported records keep their origin`, async () => {
    await withStore(backend, async (store) => {
      const batch = Array.from({ length: 10 }, (_, i) => record(i, { origin: { file: 'audit.log', line: i + 1 } }));
      assert.deepEqual((await store.importBatch(batch)), { added: 10, duplicates: 0 });
      assert.deepEqual((await store.importBatch(batch)), { added: 0, duplicates: 10 });
      assert.equal((await store.count()), 10);
      const rows = (await store.query({ order: 'asc', limit: 100, imported: true }));
      assert.deepEqual(rows.map((r) => r.origin), batch.map((r) => r.origin));
      assert.equal((await store.query({ order: 'asc', limit: 100, imported: false })).length, 0);
    });
  });

  test(`${backend.name}: path prefixes of every depth select exactly the paths under them, through the prefix indexes`, async () => {
    await withStore(backend, async (store) => {
      const paths = ['secret/data/a/b', 'secret/data/x', 'secret/metadata/a', 'secret/', 'sys/mounts', 'sys/', 'auth/token/lookup-self', '/lead/x', 'noslash', 'sécret/dätä/ü', 'secret/datax/y'];
      const all = paths.map((path, i) => record(i, { keys: { path } }));
      for (const r of all) await store.append(r);
      for (const prefix of ['secret/', 'secret/data/', 'secret/data/a/', 'secret/d', 'sys/', 's', 'sé', 'sécret/dätä/', '/', '/lead/', 'noslash']) {
        const expected = all.map((r, i) => ({ path: r.keys.path!, seq: i })).filter(({ path }) => path.startsWith(prefix)).map(({ seq }) => seq);
        assert.deepEqual((await store.query({ order: 'asc', limit: 1000, pathPrefix: prefix })).map((r) => r.seq), expected, prefix);
        assert.deepEqual((await store.query({ order: 'desc', limit: 1000, pathPrefix: prefix })).map((r) => r.seq), [...expected].reverse(), prefix);
      }
      assert.match((await store.explain({ order: 'desc', limit: 100, pathPrefix: 'secret/' })).join('\n'), usesIndex(backend, 'records_by_path_prefix1'));
      assert.match((await store.explain({ order: 'asc', limit: 100, pathPrefix: 'secret/data/a/b' })).join('\n'), usesIndex(backend, 'records_by_path_prefix2'));
    });
  });

  test(`${backend.name}: a filter holding a NUL character matches nothing, whatever the filter (a client's value, never an error)`, async () => {
    await withStore(backend, async (store) => {
      await store.append(record(0));
      for (const q of [{ keys: { entityId: 'ent-0\u0000' } }, { keys: { requestId: '\u0000' } }, { pathPrefix: 'secret/\u0000' }, { requestIds: ['req-0', '\u0000'] }]) {
        for (const maxChars of [undefined, 1000]) {
          const found = await store.query({ order: 'desc', limit: 10, maxChars, ...q });
          assert.deepEqual(found.map((r) => r.seq), 'requestIds' in q ? [0] : [], JSON.stringify(q));
        }
      }
    });
  });

  test(`${backend.name}: an import adds a record once, even twice in one batch; the same text under another kind, or live, is another record`, async () => {
    await withStore(backend, async (store) => {
      const one = record(1, { origin: { file: 'a.log', line: 1 } });
      await store.append(record(1));
      const again = { ...one, origin: { file: 'b.log', line: 9 } };
      assert.deepEqual((await store.importBatch([one, again])), { added: 1, duplicates: 1 });
      assert.deepEqual((await store.importBatch([{ ...one, kind: 'capsule-access' }, again])), { added: 1, duplicates: 1 });
      assert.deepEqual((await store.query({ order: 'asc', limit: 10 })).map((r) => [r.kind, r.origin?.file]), [['vault-response', undefined], ['vault-response', 'a.log'], ['capsule-access', 'a.log']]);
    });
  });

  test(`${backend.name}: records sharing one time are each imported once, however many; one byte more is another record`, async () => {
    await withStore(backend, async (store) => {
      const all = Array.from({ length: 2000 }, (_, i) => record(0, { text: JSON.stringify({ i }), origin: { file: 'a.log', line: i + 1 } }));
      for (let b = 0; b < 4; b++) {
        const batch = all.slice(b * 500, (b + 1) * 500);
        assert.deepEqual((await store.importBatch([...batch, batch[7]])), { added: 500, duplicates: 1 });
      }
      assert.deepEqual((await store.importBatch(all)), { added: 0, duplicates: 2000 });
      assert.deepEqual((await store.importBatch([{ ...all[3], text: `${all[3].text} ` }, all[3]])), { added: 1, duplicates: 1 });
      assert.equal((await store.count()), 2001);
    });
  });

  test(`${backend.name}: a failed commit rejects every append of its batch and keeps nothing of it`, async () => {
    await withStore(backend, async (store) => {
      await store.append(record(0));
      // A record without text breaks a NOT NULL constraint: the whole transaction is refused.
      const results = await Promise.allSettled([store.append(record(1)), store.append(record(2, { text: null as unknown as string }))]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
      assert.equal((await store.count()), 1);
    });
  });

  test(`${backend.name}: each filter is served by an index`, async () => {
    await withStore(backend, async (store) => {
      const queries: Partial<JournalQuery>[] = [
        { keys: { entityId: 'e' } }, { keys: { accessor: 'a' } }, { keys: { requestId: 'r' } }, { keys: { correlationId: 'c' } },
        { keys: { keyArn: 'k' } }, { keys: { accessKeyId: 'ak' } }, { keys: { capsule: 'c' } }, { keys: { remoteAddress: '127.0.0.1' } },
        { keys: { userArn: 'u' } }, { pathPrefix: 'secret/' }, { pathPrefix: 'secret/data/x' }, { kinds: ['cloudtrail'] }, {}, { keys: { outcome: 'failure' } },
        { sinceNs: T0, untilNs: T0 + 1n }, { kinds: ['cloudtrail', 'attestation'] }, { kinds: ['cloudtrail'], keys: { outcome: 'failure' } },
        { kinds: ['cloudtrail', 'attestation'], keys: { outcome: 'failure' } },
      ];
      for (const q of queries) {
        const plan = (await store.explain({ order: 'desc', limit: 100, throughSeq: 10, after: { timeNs: T0, seq: 5 }, ...q })).join('\n');
        assert.match(plan, backend.name === 'sqlite' ? /USING (COVERING )?INDEX (records_by_|records_failed)|USING PRIMARY KEY/ : /Index (Only )?Scan (Backward )?using (records_by_|records_failed|records_pkey)/, `${show(q)}: ${plan}`);
        assert.doesNotMatch(plan, backend.name === 'sqlite' ? /TEMP B-TREE/ : /Seq Scan/, `${show(q)} sorts: ${plan}`);
        // PostgreSQL sorts only the limited rows of each kind's arm, never a whole range.
        if (backend.name === 'postgresql' && /Sort/.test(plan)) assert.ok((q.kinds?.length ?? 0) > 1 && (plan.match(/Limit/g) ?? []).length > q.kinds!.length, `${show(q)} sorts: ${plan}`);
      }
    });
  });
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}
