import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIdGenerator, idTimeMs } from '../../../src/secrets/capsule/log/ids.js';
import { manualClock } from '../../../src/lib/clock.js';
import { iterateLog, queryAccessLog } from '../../../src/sdk/capsule.js';
import { APP, harness, rejects, T0_MS, token } from './helpers.js';

test('log ids sort in time order, even many within one millisecond or when the clock steps back', () => {
  const clock = manualClock(T0_MS);
  const gen = logIdGenerator(clock);
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push(gen.next());
  clock.advance(-5);
  ids.push(gen.next());
  clock.advance(10);
  ids.push(gen.next());
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids[0].slice(0, 20), T0_MS.toString(16).padStart(12, '0') + '00000000');
  assert.equal(idTimeMs(ids[50]), T0_MS);
  assert.equal(idTimeMs(ids[51]), T0_MS + 5);
});

test('time range, filters and paging over the access log', async () => {
  const h = await harness();
  const other = token('acc-other', 'other');
  const capsules: string[] = [];
  for (let i = 0; i < 6; i++) {
    const tok = i % 2 === 0 ? APP : other;
    const { data } = (await h.call('update', 'encapsulate', { data: `row ${i}` }, tok))!;
    capsules.push(data!.capsule_id as string);
    h.clock.advance(60_000);
  }
  // 6 creates, one a minute from T0.
  const all = await h.accessLog({ order: 'asc' });
  assert.deepEqual(all.map((r) => r.capsule), capsules);
  const minute = (m: number) => new Date(T0_MS + m * 60_000).toISOString();
  assert.deepEqual((await h.accessLog({ start_date: minute(2), end_date: minute(4) })).map((r) => r.capsule), [capsules[4], capsules[3], capsules[2]]);
  assert.deepEqual((await h.accessLog({ session: 'acc-other' })).map((r) => r.capsule), [capsules[5], capsules[3], capsules[1]]);
  assert.deepEqual((await h.accessLog({ capsule: capsules[2] })).map((r) => r.operation), ['create']);
  assert.deepEqual(await h.accessLog({ operation: 'read' }), []);

  const first = await queryAccessLog(h.client, { numResults: 4 });
  assert.equal(first.has_more, true);
  const second = await queryAccessLog(h.client, { numResults: 4, startFromId: String(first.results[3].id) });
  assert.equal(second.has_more, false);
  assert.deepEqual([...first.results, ...second.results].map((r) => r.capsule), [...capsules].reverse());
  const viaIterator: unknown[] = [];
  for await (const r of iterateLog(h.client, 'access', { numResults: 2, order: 'asc' })) viaIterator.push(r.capsule);
  assert.deepEqual(viaIterator, capsules);
});

test('bad queries are refused', async () => {
  const h = await harness();
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['log/access', { num_results: '0' }, '"num_results" must be an integer from 1 to 1000'],
    ['log/access', { num_results: '1001' }, '"num_results" must be an integer from 1 to 1000'],
    ['log/access', { start_date: 'yesterday' }, '"start_date" must be an RFC 3339 time such as 2024-03-21T03:20:32Z'],
    ['log/access', { start_from_id: 'abc' }, '"start_from_id" must be a log record id (32 hex characters)'],
    ['log/access', { order: 'random' }, '"order" must be "asc" or "desc"'],
    ['log/control', { capsule: 'ca-x' }, '"capsule" is not a filter of this log'],
  ];
  for (const [path, q, message] of cases) await rejects(h.call('read', path, q), 'invalid', message);
});

test('iterateLog stops at a server whose pages do not move on: the same page again, or a cursor going back', async () => {
  const { createServer } = await import('node:http');
  const { SealtrailClient } = await import('../../../src/sdk/index.js');
  const id = (n: number) => n.toString(16).padStart(32, '0');
  let pages = 0;
  let answer: (from: string | null) => string[] = () => [id(5), id(4)];
  const server = createServer((req, res) => {
    pages += 1;
    const from = new URL(req.url!, 'http://x').searchParams.get('start_from_id');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { results: answer(from).map((i) => ({ id: i })), has_more: true } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new SealtrailClient({ address: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: 't' });
    const drain = async (order?: 'asc' | 'desc') => {
      const seen: unknown[] = [];
      for await (const r of iterateLog(client, 'access', { order })) { seen.push(r.id); if (seen.length > 100) break; }
      return seen;
    };
    await assert.rejects(drain(), /access log: the server's next page does not continue after the last one \(its last id is not past/);
    assert.equal(pages, 2);
    pages = 0;
    answer = (from) => (from === null ? [id(1), id(2)] : [id(3), id(1)]);
    await assert.rejects(drain('asc'), /does not continue after the last one/);
    assert.equal(pages, 2);
    answer = (from) => [id(Number.parseInt(from ?? '0', 16) + 1)];
    const seen = await drain('asc');
    assert.equal(seen.length, 101, 'a server that moves on is followed');
  } finally {
    server.close();
  }
});
