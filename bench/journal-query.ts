/**
 * Journal query latency over a large journal (journal-fixture.ts): every filter of the query API,
 * alone and combined, in both orders, the first page and the next one (through its cursor), and
 * the timeline of one entity (about 100 records of its own). Each query runs RUNS times with
 * different key values, through the real query functions (searchJournal, timeline); p50/p99 in
 * ms of wall time, and the mean CPU ms of this process per query (steadier on a shared machine).
 * The journal file is read through the page cache: the figures are those of a journal in use.
 *
 *   node --import tsx bench/journal-query.ts           # BENCH_RECORDS (default 10000000), BENCH_RUNS (200)
 */
import { createJournalStore, searchJournal, timeline, type JournalFilter, type JournalKind, type JournalStore, type ParsedQuery } from '../src/journal/index.js';
import { journalFixture, prng } from './journal-fixture.js';

export interface QueryFigures {
  p50Ms: number;
  p99Ms: number;
  cpuMsMean: number;
  runs: number;
}

export interface JournalQueryBenchResult {
  records: number;
  buildSeconds: number;
  buildCpuSeconds: number;
  megabytes: number;
  queries: Record<string, QueryFigures>;
  table: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Each query shape first runs WARMUP times unmeasured (other key values), as a running server's would have. */
const WARMUP = 10;

async function measure(runs: number, fn: (i: number) => Promise<unknown>): Promise<QueryFigures> {
  for (let i = 0; i < WARMUP; i++) await fn(runs - 1 - (i % runs));
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const round = (ms: number) => Number(ms.toFixed(2));
  return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), cpuMsMean: round((cpu.user + cpu.system) / 1000 / runs), runs };
}

/** Key values that occur in the journal: sampled from records at random seqs. */
async function sampler(store: JournalStore, rnd: () => number) {
  const last = await store.lastSeq();
  const cache = new Map<string, string[]>();
  return async (key: SampledKey, count: number): Promise<string[]> => {
    const cached = cache.get(key);
    if (cached && cached.length >= count) return cached;
    const out: string[] = [];
    for (let tries = 0; out.length < count && tries < count * 2000; tries++) {
      // readSince(seq - 1, 1) is the record at seq: a single primary-key lookup.
      const seq = Math.floor(rnd() * (last + 1));
      const value = (await store.readSince(seq - 1, 1))[0]?.keys[key];
      if (value !== undefined) out.push(value);
    }
    if (out.length === 0) throw new Error(`no record has ${key}`);
    cache.set(key, out);
    return out;
  };
}

type SampledKey = keyof NonNullable<JournalFilter['keys']> | 'path';
const SAMPLED: SampledKey[] = ['entityId', 'accessor', 'keyArn', 'path', 'correlationId', 'requestId', 'accessKeyId', 'userArn', 'capsule', 'remoteAddress'];

type FilterMaker = (i: number) => JournalFilter;

export interface JournalQueryBenchOptions {
  records: number;
  runs?: number;
  log?: (line: string) => void;
  /** The store to query, given the fixture's SQLite file (default: that file's own store). */
  open?: (fixturePath: string) => Promise<JournalStore>;
}

export async function benchJournalQuery(opts: JournalQueryBenchOptions): Promise<JournalQueryBenchResult> {
  const runs = opts.runs ?? 200;
  const log = opts.log ?? (() => undefined);
  const fixture = journalFixture(opts.records, log);
  // On the reader thread, as the server searches (docs/journal.md).
  const store = opts.open ? await opts.open(fixture.path) : createJournalStore({ path: fixture.path, readerThread: true });
  try {
    const rnd = prng(42);
    const values = await sampler(store, rnd);
    const sampled = new Map<SampledKey, string[]>();
    for (const key of SAMPLED) sampled.set(key, await values(key, runs));
    const pick = (key: SampledKey) => {
      const v = sampled.get(key)!;
      return (i: number) => v[i % v.length];
    };
    const first = (await store.readSince(0, 1))[0].timeNs;
    const lastTime = (await store.query({ order: 'desc', limit: 1 }))[0].timeNs;
    const span = Number(lastTime - first);
    const timeAt = (i: number) => first + BigInt(Math.floor(((i * 7919) % runs) / runs * span));
    const HOUR = 3_600_000_000_000n;
    const KINDS: JournalKind[] = ['vault-request', 'vault-response', 'cloudtrail', 'capsule-access', 'capsule-control', 'attestation'];
    const entity = pick('entityId');
    const accessor = pick('accessor');
    const keyArn = pick('keyArn');
    const path = pick('path');
    const segments = (p: string, n: number) => p.split('/').slice(0, n).join('/') + '/';

    const filters: Record<string, FilterMaker> = {
      'no filter': () => ({}),
      kind: (i) => ({ kinds: [KINDS[i % KINDS.length]] }),
      'kind (two)': (i) => ({ kinds: [KINDS[i % KINDS.length], KINDS[(i + 1) % KINDS.length]] }),
      'since/until (1 h)': (i) => ({ sinceNs: timeAt(i), untilNs: timeAt(i) + HOUR }),
      since: (i) => ({ sinceNs: timeAt(i) }),
      entity_id: (i) => ({ keys: { entityId: entity(i) } }),
      accessor: (i) => ({ keys: { accessor: accessor(i) } }),
      correlation_id: (i) => ({ keys: { correlationId: pick('correlationId')(i) } }),
      request_id: (i) => ({ keys: { requestId: pick('requestId')(i) } }),
      'path_prefix (mount)': (i) => ({ pathPrefix: segments(path(i), 2) }),
      'path_prefix (3 segments)': (i) => ({ pathPrefix: segments(path(i), 3) }),
      'outcome=failure': () => ({ keys: { outcome: 'failure' } }),
      'outcome=success': () => ({ keys: { outcome: 'success' } }),
      key_arn: (i) => ({ keys: { keyArn: keyArn(i) } }),
      access_key_id: (i) => ({ keys: { accessKeyId: pick('accessKeyId')(i) } }),
      user_arn: (i) => ({ keys: { userArn: pick('userArn')(i) } }),
      capsule: (i) => ({ keys: { capsule: pick('capsule')(i) } }),
      remote_address: (i) => ({ keys: { remoteAddress: pick('remoteAddress')(i) } }),
      imported: () => ({ imported: true }),
      'entity_id + kind': (i) => ({ keys: { entityId: entity(i) }, kinds: [KINDS[i % 3]] }),
      'entity_id + outcome=failure': (i) => ({ keys: { entityId: entity(i), outcome: 'failure' } }),
      'entity_id + since/until (1 day)': (i) => ({ keys: { entityId: entity(i) }, sinceNs: timeAt(i), untilNs: timeAt(i) + 24n * HOUR }),
      'accessor + kind': (i) => ({ keys: { accessor: accessor(i) }, kinds: ['vault-response'] }),
      'key_arn + outcome=failure': (i) => ({ keys: { keyArn: keyArn(i), outcome: 'failure' } }),
      'kind + outcome=failure': (i) => ({ kinds: [KINDS[i % KINDS.length]], keys: { outcome: 'failure' } }),
      'kind + since/until (1 h)': (i) => ({ kinds: [KINDS[i % KINDS.length]], sinceNs: timeAt(i), untilNs: timeAt(i) + HOUR }),
      'path_prefix (mount) + since/until (1 h)': (i) => ({ pathPrefix: segments(path(i), 2), sinceNs: timeAt(i), untilNs: timeAt(i) + HOUR }),
    };

    const queries: Record<string, QueryFigures> = {};
    for (const [name, make] of Object.entries(filters)) {
      for (const order of ['desc', 'asc'] as const) {
        const query = (i: number, cursor?: string): ParsedQuery => ({ filter: make(i), order, limit: 100, format: 'raw', cursor });
        queries[`${name}, ${order}`] = await measure(runs, (i) => searchJournal(store, query(i)));
        // The next page, where there is one: its cursor comes from a first page fetched outside the timing.
        const next: { i: number; cursor: string | null }[] = [];
        for (let i = 0; i < runs; i++) next.push({ i, cursor: (await searchJournal(store, query(i))).nextCursor });
        const paged = next
          .filter((n): n is { i: number; cursor: string } => n.cursor !== null);
        if (paged.length > 0) queries[`${name}, ${order}, page 2`] = await measure(paged.length, (k) => searchJournal(store, query(paged[k].i, paged[k].cursor)));
        log(`  ${name}, ${order}: p99 ${queries[`${name}, ${order}`].p99Ms} ms, page 2 ${queries[`${name}, ${order}, page 2`]?.p99Ms ?? '(none)'} ms`);
      }
    }
    let timelineRecords = 0;
    queries['timeline of one entity'] = await measure(runs, async (i) => {
      timelineRecords += (await timeline(store, { entityId: entity(i) })).groups.reduce((n, g) => n + g.records.length, 0);
    });
    log(`  timeline: p99 ${queries['timeline of one entity'].p99Ms} ms (${Math.round(timelineRecords / runs)} records each on average)`);

    const rows = Object.entries(queries).map(([q, r]) => `| ${q} | ${r.p50Ms} | ${r.p99Ms} | ${r.cpuMsMean} | ${r.runs} |`);
    // "page 2" rows count only the queries that had a next page (an entity's ~100 records fit in one).
    const table = ['| query (100 records a page) | p50 ms | p99 ms | CPU ms per query | runs |', '|---|---:|---:|---:|---:|', ...rows].join('\n');
    return {
      records: fixture.records, buildSeconds: fixture.buildSeconds, buildCpuSeconds: fixture.buildCpuSeconds,
      megabytes: Math.round(fixture.bytes / 1e6), queries, table,
    };
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchJournalQuery({ records: Number(process.env.BENCH_RECORDS ?? 10_000_000), runs: Number(process.env.BENCH_RUNS ?? 200), log: (l) => console.error(l) });
  console.log(`${r.records.toLocaleString('en-US')} records (${r.megabytes} MB)${r.buildSeconds > 0 ? `, built in ${r.buildSeconds.toFixed(0)} s (${r.buildCpuSeconds.toFixed(0)} CPU s)` : ', cached journal reused'}\n`);
  console.log(r.table);
  const worst = Object.entries(r.queries).sort((a, b) => b[1].p99Ms - a[1].p99Ms)[0];
  console.log(`\nworst p99: ${worst[0]} ${worst[1].p99Ms} ms`);
}
