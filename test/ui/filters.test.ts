/** The console's URL state: filters ↔ query string, and the journal API parameters they make. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filtersFromQuery, ignoredFilters, journalParams, MAX_FILTER_LENGTH, queryFromFilters, sameFilters } from '../../ui/src/lib/filters.js';
import { parseRoute, routePath } from '../../ui/src/lib/route.js';

test('filters survive the round trip through the URL, in one canonical order', () => {
  const filters = { request_id: 'r-1', entity_id: 'e 1/ü', kind: 'attestation', since: '2026-12-05T10:00:00.000000001Z' };
  const query = queryFromFilters(filters);
  assert.equal(query, '?entity_id=e+1%2F%C3%BC&request_id=r-1&kind=attestation&since=2026-12-05T10%3A00%3A00.000000001Z');
  assert.deepEqual(filtersFromQuery(query), filters);
  assert.ok(sameFilters(filters, { since: filters.since, kind: 'attestation', entity_id: 'e 1/ü', request_id: 'r-1' }));
  assert.equal(queryFromFilters({}), '');
});

test('unknown parameters, empty values and over-long values are dropped from the URL', () => {
  assert.deepEqual(filtersFromQuery('?entity_id=&accessor=%20%20&token=hvs.x&capsule=c1&kind=server'), { capsule: 'c1', kind: 'server' });
  assert.deepEqual(filtersFromQuery(`?capsule=${'c'.repeat(MAX_FILTER_LENGTH + 1)}`), {});
  assert.deepEqual(filtersFromQuery(`?capsule=${'c'.repeat(MAX_FILTER_LENGTH)}`), { capsule: 'c'.repeat(MAX_FILTER_LENGTH) });
  assert.deepEqual(ignoredFilters(`?capsule=${'c'.repeat(MAX_FILTER_LENGTH + 1)}&kind=server&token=${'t'.repeat(600)}`), ['capsule'], 'the page says which it dropped');
  assert.deepEqual(ignoredFilters(`?capsule=${'c'.repeat(MAX_FILTER_LENGTH)}`), []);
});

test('journal parameters: newest first with a page limit and cursor, or following arrivals after a seq', () => {
  const f = { entity_id: 'e1', outcome: 'failure' };
  assert.equal(journalParams(f, { limit: 1000 }).toString(), 'entity_id=e1&outcome=failure&limit=1000&order=desc');
  assert.equal(journalParams(f, { limit: 1000, cursor: 'abc' }).toString(), 'entity_id=e1&outcome=failure&limit=1000&order=desc&cursor=abc');
  assert.equal(journalParams(f, { limit: 10, afterSeq: 41 }).toString(), 'entity_id=e1&outcome=failure&limit=10&after_seq=41');
  assert.equal(journalParams({}, { limit: 1, afterSeq: -1, raw: true }).toString(), 'limit=1&after_seq=-1&format=raw');
});

test('routes under /ui/', () => {
  assert.deepEqual(parseRoute('/ui/'), { page: 'timeline' });
  assert.deepEqual(parseRoute('/ui/ledger'), { page: 'ledger' });
  assert.deepEqual(parseRoute('/ui/operations'), { page: 'operations' });
  assert.deepEqual(parseRoute('/ui/entity/a%2Fb'), { page: 'entity', entityId: 'a/b' });
  assert.deepEqual(parseRoute('/ui/entity/%E0%A4%A'), { page: 'timeline' });
  assert.deepEqual(parseRoute('/ui/nowhere'), { page: 'timeline' });
  assert.equal(routePath({ page: 'entity', entityId: 'a/b' }), '/ui/entity/a%2Fb');
  assert.equal(routePath({ page: 'ledger' }), '/ui/ledger');
});
