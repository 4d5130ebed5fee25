/**
 * Whoever may encapsulate or load chooses the data every detector and context pattern runs over:
 * none of them may take time that grows faster than that data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../../src/secrets/capsule/classify/classify.js';
import { harness, rejects } from './helpers.js';

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const out = await p;
  return [out, performance.now() - start];
}

test('the probe\'s 80,000 a\'s and an @ encapsulate under sensitive at once (they held the server for 15 s)', async () => {
  const h = await harness();
  const [created, ms] = await timed(h.data('update', 'encapsulate', { data: `${'a'.repeat(80_000)}@`, write_context: 'sensitive' }));
  assert.equal(typeof created.capsule, 'string');
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
});

test('context patterns that backtrack exponentially run in linear time over the data', async () => {
  const h = await harness();
  // (a|aa)*$ against 40 a's and a "!": JavaScript's backtracking engine tries every way of
  // splitting the run, from every start (many seconds); the linear engine reads the text once.
  await h.call('update', 'write-context/runs', {
    rules: [
      { pattern: '(a|aa)*$', span_tags: [{ name: 'tag.example.com/run' }] },
      { pattern: '^a+!$', span_tags: [{ name: 'tag.example.com/text', value: '$0' }] },
    ],
  });
  await h.call('update', 'read-context/runs', { rules: [{ match: { tags: [{ name: 'tag.example.com/text', op: 'regex', value: '^(a|aa)*$' }] }, effect: 'Redact' }] });
  const text = `${'a'.repeat(40)}!`;
  const [created, encapsulateMs] = await timed(h.data('update', 'encapsulate', { data: text, write_context: 'runs' }));
  assert.ok(encapsulateMs < 3000, `encapsulate: ${encapsulateMs.toFixed(0)} ms`);
  const [loaded, loadMs] = await timed(h.data('update', 'load', { capsule: created.capsule, read_context: 'runs' }));
  assert.ok(loadMs < 3000, `load: ${loadMs.toFixed(0)} ms`);
  assert.equal(loaded.data, text, 'neither pattern matches: nothing is redacted');
  // The condition did run on that tag: one that matches its value redacts the text.
  await h.call('update', 'read-context/hit', { rules: [{ match: { tags: [{ name: 'tag.example.com/text', op: 'regex', value: '^a+!$' }] }, effect: 'Redact' }] });
  assert.notEqual((await h.data('update', 'load', { capsule: created.capsule, read_context: 'hit' })).data, text);
});

test('patterns the linear engine cannot run are refused when the context is written', async () => {
  const h = await harness();
  const notLinear = 'cannot be matched in linear time (no backreferences, lookaround or counted repetition over 16)';
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['write-context/x', { rules: [{ pattern: '(\\w+)-\\1', span_tags: [{ name: 'tag.a.b/c' }] }] }, `rules[0].pattern ${notLinear}`],
    ['write-context/x', { rules: [{ pattern: '(?<=ID-)\\d+', span_tags: [{ name: 'tag.a.b/c' }] }] }, `rules[0].pattern ${notLinear}`],
    ['write-context/x', { rules: [{ pattern: '\\d{17}', span_tags: [{ name: 'tag.a.b/c' }] }] }, `rules[0].pattern ${notLinear}`],
    ['read-context/x', { rules: [{ effect: 'Redact', match: { tags: [{ name: 'tag.a.b/c', op: 'regex', value: '^(?!x)' }] } }] }, `rules[0].match.tags[0].value ${notLinear}`],
    ['read-context/x', { rules: [{ effect: 'Redact', match: { tags: [{ name: 'tag.a.b/c', op: 'regex', value: '[' }] } }] }, 'rules[0].match.tags[0].value is not a valid regular expression'],
  ];
  for (const [path, body, message] of cases) await rejects(h.call('update', path, body), 'invalid', message);
});

test('a stored context whose pattern the linear engine cannot run refuses to classify rather than run it', () => {
  const context = {
    name: 'legacy', description: '', detectors: [],
    rules: [{ pattern: '(?<=ID-)\\d+', match_on_key: false, span_tags: [{ name: 'tag.a.b/c', type: 'unary' as const, value: '' }], capsule_tags: [] }],
  };
  assert.throws(() => classify([{ tags: [], fields: [{ key: 'k', value: 'ID-7', tags: [], spans: [] }] }], context), {
    message: 'write context legacy: rules[0].pattern cannot be matched in linear time (no backreferences, lookaround or counted repetition over 16)',
  });
});

// 20,000 tags is 20,000 JSON values, a fifth of what one request may send.
const manyTags = (n: number, group: string) => Array.from({ length: n }, (_, i) => `tag.example.com/${group}/t${i}`);

test('20,000 distinct caller tags encapsulate at once (each was compared with every earlier one: 27 s)', async () => {
  const h = await harness();
  const [created, ms] = await timed(h.data('update', 'encapsulate', { data: 'x', tags: manyTags(20_000, 'manual') }));
  assert.equal(typeof created.capsule, 'string');
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  // Duplicates are still dropped, keeping the first.
  const twice = await h.data('update', 'encapsulate', { data: 'x', tags: ['tag.example.com/a/b', { name: 'tag.example.com/a/b' }, 'tag.example.com/a/c'] });
  const loaded = await h.data('update', 'load', { read_context: 'default', capsule: twice.capsule });
  const summary = loaded.summary as { allowed_tags: { unique_tags: Array<{ tag: { name: string }; occurrences: number }> } };
  assert.deepEqual(summary.allowed_tags.unique_tags.map((t) => [t.tag.name, t.occurrences]), [['tag.example.com/a/b', 1], ['tag.example.com/a/c', 1]]);
});

test('a rule tagging the capsule with each match finds 20,000 distinct matches at once (38 s)', async () => {
  const h = await harness();
  await h.call('update', 'write-context/orders', { rules: [{ pattern: 'ORDER-\\d+', capsule_tags: [{ name: 'tag.example.com/order/id', value: '$0' }] }] });
  const text = Array.from({ length: 20_000 }, (_, i) => `ORDER-${i}`).join(' ');
  const [created, ms] = await timed(h.data('update', 'encapsulate', { data: text, write_context: 'orders' }));
  assert.equal(typeof created.capsule, 'string');
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
});

test('a capsule with 10,000 capsule tags and 10,000 records of their own tags loads at once (every record was decided over every capsule tag: 13 s)', async () => {
  const h = await harness();
  const n = 10_000;
  const created = await h.data('update', 'encapsulate', {
    records: Array.from({ length: n }, (_, i) => ({ n: i })),
    tags: manyTags(n, 'capsule'),
    record_tags: manyTags(n, 'record').map((t) => [t]),
  });
  await h.call('update', 'read-context/last', { rules: [{ match: { tags: [{ name: `tag.example.com/record/t${n - 1}` }] }, effect: 'DenyRecord' }] });
  for (const readContext of ['default', 'last']) {
    const [loaded, ms] = await timed(h.data('update', 'load', { capsule: created.capsule, read_context: readContext }));
    assert.ok(ms < 3000, `${readContext}: ${ms.toFixed(0)} ms`);
    assert.equal((loaded.records as unknown[]).length, readContext === 'default' ? n : n - 1);
  }
});

test('a span rule tagging each match with $value encapsulates 40,000 matches at once (one tag per match, each the whole value: 53 s)', async () => {
  const h = await harness();
  await h.call('update', 'write-context/vip', { rules: [{ pattern: 'VIP', span_tags: [{ name: 'tag.example.com/customer/line', value: '$value' }] }] });
  const text = 'VIP '.repeat(40_000);
  const [created, ms] = await timed(h.data('update', 'encapsulate', { data: text, write_context: 'vip' }));
  assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  const loaded = await h.data('update', 'load', { read_context: 'default', capsule: created.capsule });
  const summary = loaded.summary as { allowed_tags: { unique_tags: Array<{ tag: { value: string }; occurrences: number }> } };
  const token = await h.tokenOf(text);
  assert.deepEqual(summary.allowed_tags.unique_tags.map((t) => [t.tag.value === token, t.occurrences]), [[true, 40_000]]);
});

test('$value is the field value as it is: a "$1" in the data is not read as a group of the match', async () => {
  const h = await harness();
  await h.call('update', 'write-context/price', { rules: [{ pattern: '(\\d+) EUR', span_tags: [{ name: 'tag.example.com/price/line', value: '$value' }, { name: 'tag.example.com/price/amount', value: '$1' }] }] });
  const created = await h.data('update', 'encapsulate', { data: 'pay $1 or 12 EUR', write_context: 'price' });
  const loaded = await h.data('update', 'load', { read_context: 'default', capsule: created.capsule });
  const summary = loaded.summary as { allowed_tags: { unique_tags: Array<{ tag: { name: string; value: string } }> } };
  assert.deepEqual(summary.allowed_tags.unique_tags.map((t) => [t.tag.name, t.tag.value]), [
    ['tag.example.com/price/amount', await h.tokenOf('12')],
    ['tag.example.com/price/line', await h.tokenOf('pay $1 or 12 EUR')],
  ]);
});

test("what a context's regex rules may scan is bounded per value and per request, and refused before any runs", async () => {
  const h = await harness();
  const email = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,16}'; // 47 characters
  await h.call('update', 'write-context/emails', { rules: [{ pattern: email, span_tags: [{ name: 'tag.example.com/pii/email' }] }] });
  const limits = 'is more than its rules\' regular expressions may scan (pattern length × text length at most 4194304 per value and 33554432 per request): encapsulate less at once, or use shorter patterns or the built-in detectors';
  // 2 MiB in one value: V8's linear engine would take ~2 GB of memory at once for it.
  await rejects(h.data('update', 'encapsulate', { data: 'a'.repeat(2 * 1024 * 1024), write_context: 'emails' }), 'too_large', `write context emails: a string value of 2097152 characters ${limits}`);
  // 80,000 characters (× 47 within the per-value bound) is scanned, and its address tagged.
  const fine = `${'a'.repeat(79_990)} x@y.example`;
  const created = await h.data('update', 'encapsulate', { data: fine, write_context: 'emails' });
  assert.equal(typeof created.capsule, 'string');
  // Twenty such values in one request are more than the request's bound.
  await rejects(h.data('update', 'encapsulate', { records: Array.from({ length: 20 }, () => ({ note: fine })), write_context: 'emails' }), 'too_large', `write context emails: the data ${limits}`);
  // A rule on field names bounds the names it scans the same way; other contexts are not bounded by it.
  await h.call('update', 'write-context/keys', { rules: [{ pattern: 'secret', match_on_key: true, span_tags: [{ name: 'tag.example.com/k' }] }] });
  await rejects(h.data('update', 'encapsulate', { records: [{ ['k'.repeat(800_000)]: 'v' }], write_context: 'keys' }), 'too_large', `write context keys: a field name of 800000 characters ${limits}`);
  assert.equal(typeof (await h.data('update', 'encapsulate', { data: 'a'.repeat(2 * 1024 * 1024), write_context: 'default' })).capsule, 'string');
});
