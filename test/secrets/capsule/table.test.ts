import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './helpers.js';

const CUSTOMER = 'tag.example.com/customer/id';
const RESTRICTED = 'tag.example.com/restricted';

async function setUp() {
  const h = await harness();
  await h.call('update', 'write-context/orders', {
    detectors: ['email'],
    rules: [
      // Each row's customer id becomes a field tag value: 50 rows, 50 distinct values.
      { pattern: '^customer$', match_on_key: true, span_tags: [{ name: CUSTOMER, type: 'string', value: '$value' }] },
      { pattern: '^(EU|CN)$', span_tags: [{ name: RESTRICTED, type: 'string', value: '$1' }], capsule_tags: [{ name: 'tag.example.com/has-restricted' }] },
    ],
  });
  await h.call('update', 'read-context/no-restricted', {
    rules: [{ match: { tags: [{ name: RESTRICTED }] }, effect: 'DenyRecord' }],
  });
  const rows = Array.from({ length: 50 }, (_, i) => [`c-${String(i).padStart(3, '0')}`, i % 10 === 3 ? 'EU' : 'US', `u${i}@shop.test`, i * 1.5]);
  const { data } = (await h.call('update', 'encapsulate', {
    table: { columns: ['customer', 'region', 'email', 'amount'], rows },
    write_context: 'orders',
  }))!;
  return { h, rows, capsule: data!.capsule as string };
}

test('a DenyRecord rule on one column removes whole rows; filtered_records counts them', async () => {
  const { h, rows, capsule } = await setUp();
  const { data } = (await h.call('update', 'load', { capsule, read_context: 'no-restricted' }))!;
  const expected = rows.filter((r) => r[1] !== 'EU');
  assert.equal(expected.length, 45);
  assert.deepEqual(data!.table, { columns: ['customer', 'region', 'email', 'amount'], rows: expected });
  const summary = data!.summary as Record<string, unknown>;
  assert.equal(summary.returned_records, 45);
  assert.equal(summary.filtered_records, 5);
  assert.deepEqual(summary.redacted_tags, { unique_tags: [], elided_tags: [] });

  const [read] = await h.accessLog({ operation: 'read' });
  const info = read.read_info as Record<string, unknown>;
  assert.equal(info.returned_records, 45);
  assert.equal(info.filtered_records, 5);
});

test('a tag with 50 distinct values is elided with its counts; unary tags stay unique', async () => {
  const { h, capsule } = await setUp();
  const { data } = (await h.call('update', 'load', { capsule, read_context: 'default' }))!;
  const allowed = (data!.summary as Record<string, unknown>).allowed_tags as { unique_tags: Array<{ tag: { name: string; value: string }; occurrences: number }>; elided_tags: unknown[] };
  assert.deepEqual(allowed.elided_tags, [{ name: CUSTOMER, type: 'string', distinct_values: 50, occurrences: 50 }]);
  assert.deepEqual(
    allowed.unique_tags.map((u) => [u.tag.name, u.tag.value, u.occurrences]),
    [
      ['tag.example.com/has-restricted', '', 1],
      ['tag.example.com/restricted', await h.tokenOf('EU'), 5],
      ['tag.sealtrail.io/pii/email', '', 50],
    ],
  );
  const [read] = await h.accessLog({ operation: 'read' });
  assert.deepEqual((read.read_info as Record<string, unknown>).allowed_tags, allowed);
});

test('records keep their shape; a field-level Tokenize replaces the whole value', async () => {
  const h = await harness();
  await h.call('update', 'write-context/keys', { rules: [{ pattern: '^ssn$', match_on_key: true, span_tags: [{ name: 'tag.example.com/national-id' }] }] });
  await h.call('update', 'read-context/tok', { rules: [{ match: { tags: [{ name: 'tag.example.com/*' }] }, effect: 'Tokenize' }] });
  const records = [{ name: 'a', ssn: '078-05-1120', n: 1, ok: true, none: null }, { name: 'b', ssn: '219-09-9999', n: 2, ok: false, none: null }];
  const { data: c } = (await h.call('update', 'encapsulate', { records, write_context: 'keys' }))!;
  const { data } = (await h.call('update', 'load', { capsule: c!.capsule, read_context: 'tok' }))!;
  const out = data!.records as Array<Record<string, unknown>>;
  assert.deepEqual(out.map(({ ssn: _s, ...rest }) => rest), records.map(({ ssn: _s, ...rest }) => rest));
  for (const r of out) assert.match(String(r.ssn), /^tk-[0-9a-f]{32}$/);
  assert.notEqual(out[0].ssn, out[1].ssn);
});
