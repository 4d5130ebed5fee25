import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SealtrailError } from '../../src/errors/index.js';
import { QUERY_PARAMETERS, parseJournalQuery, searchJournal } from '../../src/journal/index.js';
import { filterFingerprint } from '../../src/journal/cursor.js';
import { BACKENDS } from './backends.js';

const parse = (params: Record<string, string>) => parseJournalQuery(params, (a) => a);

test('after_seq takes a seq, or -1 for every record from seq 0; nothing else', async () => {
  assert.equal(parse({ after_seq: '-1' }).filter.afterSeq, -1);
  assert.equal(parse({ after_seq: '41' }).filter.afterSeq, 41);
  assert.equal(parse({ after_seq: '0' }).filter.afterSeq, 0);
  // A leading zero would be another spelling of a seq, one a denied_parameters value does not name.
  for (const bad of ['-2', '-01', '-0', '1.5', ' 1', '1e3', '1234567890123456', '00', '041', '0041']) {
    assert.throws(() => parse({ after_seq: bad }), /"after_seq" must be a record's seq \(a non-negative integer without leading zeros\), or -1 for all/, bad);
  }
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await Promise.all([0, 1, 2].map((i) => store.append({ kind: 'server', timeNs: BigInt(10 - i), text: `{"i":${i}}`, keys: {} })));
      assert.deepEqual((await searchJournal(store, parse({ after_seq: '-1', limit: '2' }))).records.map((r) => r.seq), [0, 1], backend.name);
      assert.deepEqual((await searchJournal(store, parse({ after_seq: '0', limit: '1' }))).records.map((r) => r.seq), [1]);
    } finally {
      await dispose();
    }
  }
});

test('limit is written as a number is, from 1 to 1000: a leading zero is a 400, not another spelling of the same limit', () => {
  assert.equal(parse({}).limit, 100);
  for (const [text, limit] of [['1', 1], ['10', 10], ['1000', 1000]] as const) assert.equal(parse({ limit: text }).limit, limit, text);
  for (const bad of ['0', '00', '01', '01000', '001000', '1001', '-1', '+5', '1.0', '1e3', ' 5', '0x10', '9'.repeat(400)]) {
    assert.throws(() => parse({ limit: bad }), (err: SealtrailError) => err.code === 'journal_invalid_filter'
      && err.message === '"limit" must be an integer from 1 to 1000, without leading zeros', bad);
  }
});

test('since and until are real RFC 3339 times: an impossible date or hour is a 400, not rolled over to the next day', () => {
  for (const bad of ['2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-05T24:00:00Z', '2026-12-05T23:60:00Z',
    '2026-12-05T23:59:60Z', '2026-13-01T00:00:00Z', '2026-12-00T00:00:00Z', '2026-12-05T03:04:05+24:00', '2026-12-05T03:04:05']) {
    assert.throws(() => parse({ since: bad }), /"since" must be an RFC 3339 time such as 2026-01-02T03:04:05Z, a real date and time/, bad);
    assert.throws(() => parse({ until: bad }), /"until" must be an RFC 3339 time/, bad);
  }
  assert.equal(parse({ since: '2024-02-29T23:59:59.5Z' }).filter.sinceNs, 1_709_251_199_500_000_000n);
  assert.equal(parse({ until: '2026-12-05T05:04:05+02:00' }).filter.untilNs, 1_796_439_845_000_000_000n);
});

test('a time the journal cannot hold (ns in 64 bits: 1677 to 2262) is a 400; the ends of the range are queries like any other', async () => {
  for (const bad of ['2262-04-11T23:47:16.854775808Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1677-09-21T00:12:43.145224191Z']) {
    assert.throws(() => parse({ since: bad }), (err: SealtrailError) => err.code === 'journal_invalid_filter' && /from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z/.test(err.message), bad);
  }
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await Promise.all([-5, 10, 20].map((t, i) => store.append({ kind: 'server', timeNs: BigInt(t), text: `{"i":${i}}`, keys: {} })));
      const widest = parse({ since: '1677-09-21T00:12:43.145224192Z', until: '2262-04-11T23:47:16.854775807Z', order: 'asc' });
      assert.deepEqual((await searchJournal(store, widest)).records.map((r) => r.seq), [0, 1, 2], backend.name);
    } finally {
      await dispose();
    }
  }
});

test('a cursor whose time the journal cannot hold is an invalid cursor, not a 500; one after a record older than 1970 pages on', async () => {
  const forged = (q: ReturnType<typeof parse>, t: string) =>
    Buffer.from(JSON.stringify({ v: 1, t, s: 0, th: 5, f: filterFingerprint(q.filter, q.order) })).toString('base64url');
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await Promise.all([-5, 10, 20].map((t, i) => store.append({ kind: 'server', timeNs: BigInt(t), text: `{"i":${i}}`, keys: {} })));
      const q = parse({ limit: '1' });
      assert.equal((await searchJournal(store, { ...q, cursor: forged(q, '9223372036854775807') })).records.length, 1, 'the largest time is a cursor');
      for (const t of ['99999999999999999999', '9223372036854775808', '-9223372036854775809', '1e3', '']) {
        await assert.rejects(searchJournal(store, { ...q, cursor: forged(q, t) }), (err: SealtrailError) => err.code === 'journal_invalid_cursor', `${backend.name} ${t}`);
      }
      const asc = parse({ limit: '1', order: 'asc' });
      const first = await searchJournal(store, asc);
      assert.equal(first.records[0].timeNs, -5n);
      assert.deepEqual((await searchJournal(store, { ...asc, cursor: first.nextCursor! })).records.map((r) => r.timeNs), [10n], backend.name);
    } finally {
      await dispose();
    }
  }
});

test('a value is used as sent: an empty one is a 400 for every parameter, and path_prefix is never rewritten', () => {
  for (const name of QUERY_PARAMETERS) {
    assert.throws(() => parse({ [name]: '' }), (err: SealtrailError) => err.code === 'journal_invalid_filter' && err.message === `"${name}" is empty: leave the parameter out rather than send it without a value`, name);
  }
  for (const bad of ['/sys/', '//sys/', '/v1/sys/', '/']) {
    assert.throws(() => parse({ path_prefix: bad }), /"path_prefix" is a request path as the journal keeps it, without a leading "\/" or "\/v1\/": secret\/data\/app\/ for \/v1\/secret\/data\/app\//, bad);
  }
  // A leading v1/ is a mount called v1, not the API's prefix.
  assert.equal(parse({ path_prefix: 'v1/sys/' }).filter.pathPrefix, 'v1/sys/');
  assert.equal(parse({ path_prefix: 'secret/data/' }).filter.pathPrefix, 'secret/data/');
});

test('a kind named twice is read once: every record appears once', async () => {
  assert.deepEqual(parse({ kind: 'vault-request,server,vault-request' }).filter.kinds, ['vault-request', 'server']);
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      for (let i = 0; i < 3; i++) await store.append({ kind: 'vault-request', timeNs: BigInt(i), text: `{"i":${i}}`, keys: {} });
      await store.append({ kind: 'server', timeNs: 9n, text: '{"s":1}', keys: {} });
      for (const kind of ['vault-request,vault-request', 'vault-request,vault-request,server,server']) {
        const seqs = (await searchJournal(store, parse({ kind, order: 'asc' }))).records.map((r) => r.seq);
        assert.deepEqual(seqs, kind.includes('server') ? [0, 1, 2, 3] : [0, 1, 2], `${backend.name} ${kind}`);
      }
    } finally {
      await dispose();
    }
  }
});
