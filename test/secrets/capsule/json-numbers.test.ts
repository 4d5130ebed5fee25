import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonNumber } from '../../../src/lib/json-number.js';
import { stringifyJson } from '../../../src/lib/json-text.js';
import { harness, rejects } from './helpers.js';

const kept = (text: string) => new JsonNumber(text);

test('records, table rows and tag values keep numbers float64 would change, through the sealed body', async () => {
  const h = await harness();
  const record = { a: kept('9223372036854775809'), b: kept('1e400'), c: kept('-0'), d: kept('123456789012345678901234567890.5'), e: 7 };
  const sealed = await h.data('update', 'encapsulate', {
    records: [record],
    tags: [{ name: 'tag.example.com/batch', value: kept('12345678901234567890') }],
  });
  const loaded = await h.data('update', 'load', { read_context: 'default', capsule: sealed.capsule });
  assert.deepEqual(loaded.records, [record]);
  const tags = (loaded.summary as { allowed_tags: { unique_tags: Array<{ tag: { name: string; value: string } }> } }).allowed_tags.unique_tags;
  assert.ok(tags.some((t) => t.tag.name === 'tag.example.com/batch' && t.tag.value === '12345678901234567890'), JSON.stringify(tags));

  const table = await h.data('update', 'encapsulate', { table: { columns: ['n'], rows: [[kept('1.0')], [2]] } });
  const rows = await h.data('update', 'load', { read_context: 'default', capsule: table.capsule });
  assert.deepEqual(rows.table, { columns: ['n'], rows: [[kept('1.0')], [2]] });
});

test('a field rule sees a kept number\'s literal text ($value) and Redact replaces the whole value', async () => {
  const h = await harness();
  await h.call('update', 'write-context/ids', {
    rules: [{ pattern: '^id$', match_on_key: true, span_tags: [{ name: 'tag.example.com/id', type: 'string', value: '$value' }] }],
  });
  await h.call('update', 'read-context/hide', { rules: [{ match: { tags: [{ name: 'tag.example.com/id' }] }, effect: 'Redact' }] });
  const sealed = await h.data('update', 'encapsulate', { records: [{ id: kept('9223372036854775809'), n: kept('-0') }], write_context: 'ids' });
  const open = await h.data('update', 'load', { read_context: 'default', capsule: sealed.capsule });
  const tags = (open.summary as { allowed_tags: { unique_tags: Array<{ tag: { name: string; value: string } }> } }).allowed_tags.unique_tags;
  // Shown as the token of the literal text, as every value from the data is.
  const token = await h.tokenOf('9223372036854775809');
  assert.ok(tags.some((t) => t.tag.name === 'tag.example.com/id' && t.tag.value === token), JSON.stringify(tags));
  const hidden = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'hide' });
  assert.deepEqual(hidden.records, [{ id: '{redacted}', n: kept('-0') }]);
});

type Summary = Record<'allowed_tags' | 'redacted_tags' | 'tokenized_tags', { unique_tags: Array<{ tag: Record<string, unknown>; occurrences: number }> }>;
const counts = (s: Summary['allowed_tags']) => s.unique_tags.map((t) => [t.tag.name, t.tag.value, t.occurrences]);
const CARD = 'tag.sealtrail.io/pii/credit_card';
const PHONE = 'tag.sealtrail.io/pii/phone';

test('the detectors read a number by its literal text, and a read rule redacts it whole, in the answer, its summary and the access log', async () => {
  const h = await harness();
  await h.call('update', 'read-context/redact-pii', { rules: [{ match: { tags: [{ name: 'tag.sealtrail.io/pii/*' }] }, effect: 'Redact' }] });
  const record = { cc: 4111111111111111, phone: 5558675309, cc_s: '4111111111111111', big: kept('12345678901234567890'), n: 7, ok: true, none: null };
  const sealed = await h.data('update', 'encapsulate', { records: [record], write_context: 'sensitive' });

  const clear = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'default' });
  assert.deepEqual(clear.records, [record]);
  // Written back digit for digit: a number left clear is the number it was.
  assert.equal(stringifyJson(clear.records), '[{"cc":4111111111111111,"phone":5558675309,"cc_s":"4111111111111111","big":12345678901234567890,"n":7,"ok":true,"none":null}]');
  assert.deepEqual(counts((clear.summary as Summary).allowed_tags), [[CARD, '', 2], [PHONE, '', 1]]);

  const redacted = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'redact-pii' });
  assert.deepEqual(redacted.records, [{ cc: '{redacted}', phone: '{redacted}', cc_s: '{redacted}', big: kept('12345678901234567890'), n: 7, ok: true, none: null }]);
  assert.deepEqual(counts((redacted.summary as Summary).redacted_tags), [[CARD, '', 2], [PHONE, '', 1]]);
  const [read] = await h.accessLog({ operation: 'read' });
  assert.deepEqual(counts((read.read_info as Summary).redacted_tags), [[CARD, '', 2], [PHONE, '', 1]]);
});

test('table cells that are numbers are classified and tokenized as their text, the same token as the string', async () => {
  const h = await harness();
  await h.call('update', 'read-context/tok', {
    rules: [
      { match: { tags: [{ name: CARD }] }, effect: 'Tokenize', priority: 1 },
      { match: { tags: [{ name: PHONE }] }, effect: 'Tokenize', token_format: 'synthetic', priority: 2 },
    ],
  });
  const table = { columns: ['cc', 'phone', 'n'], rows: [[4111111111111111, 5558675309, kept('12345678901234567890')], ['4111111111111111', '555-867-5309', 1.5]] };
  const sealed = await h.data('update', 'encapsulate', { table, write_context: 'sensitive' });
  const loaded = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'tok' });
  const token = await h.tokenOf('4111111111111111');
  const rows = (loaded.table as { rows: unknown[][] }).rows;
  assert.deepEqual([rows[0][0], rows[1][0]], [token, token]);
  // A synthetic token keeps the shape of the whole literal text: ten digits.
  assert.match(rows[0][1] as string, /^\d{10}$/);
  assert.notEqual(rows[0][1], '5558675309');
  assert.match(rows[1][1] as string, /^\d{3}-\d{3}-\d{4}$/);
  assert.deepEqual([rows[0][2], rows[1][2]], [kept('12345678901234567890'), 1.5]);
  assert.deepEqual(counts((loaded.summary as Summary).tokenized_tags), [[CARD, '', 2], [PHONE, '', 2]]);
});

test('a value rule matches a number\'s text; a match anywhere in it tags the whole number', async () => {
  const h = await harness();
  await h.call('update', 'write-context/cards', {
    detectors: ['credit_card', 'phone', 'ssn'],
    rules: [
      { pattern: '^\\d{16}$', span_tags: [{ name: 'tag.example.com/card', type: 'string', value: '$0' }] },
      { pattern: '\\d{4}$', span_tags: [{ name: 'tag.example.com/last4' }] },
    ],
  });
  await h.call('update', 'read-context/hide', {
    rules: [
      { match: { tags: [{ name: 'tag.example.com/card' }] }, effect: 'Redact', priority: 1 },
      { match: { tags: [{ name: 'tag.example.com/last4' }] }, effect: 'Tokenize', priority: 2 },
    ],
  });
  // 4111111111111112 fails the Luhn check: only the rule tags it. 123456789 is no SSN to the
  // detector (it needs the dashes, in a string too), but its last four digits match a rule.
  const sealed = await h.data('update', 'encapsulate', { records: [{ card: 4111111111111112, ssn: 123456789, id: kept('1.50') }], write_context: 'cards' });
  const loaded = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'hide' });
  assert.deepEqual(loaded.records, [{ card: '{redacted}', ssn: await h.tokenOf('123456789'), id: kept('1.50') }]);
  const summary = loaded.summary as Summary;
  // The card rule's tag value is the number's text, shown as its token.
  assert.deepEqual(counts(summary.redacted_tags), [['tag.example.com/card', await h.tokenOf('4111111111111112'), 1], ['tag.example.com/last4', '', 1]]);
  assert.deepEqual(counts(summary.tokenized_tags), [['tag.example.com/last4', '', 1]]);
});

test('what value rules scan counts numbers\' text too', async () => {
  const h = await harness();
  const pattern = `^\\d{16}$|${'x'.repeat(1000)}`; // 1,010 characters
  await h.call('update', 'write-context/long', { rules: [{ pattern, span_tags: [{ name: 'tag.example.com/card' }] }] });
  const limits = 'is more than its rules\' regular expressions may scan (pattern length × text length at most 4194304 per value and 33554432 per request): encapsulate less at once, or use shorter patterns or the built-in detectors';
  await rejects(h.data('update', 'encapsulate', { records: [{ n: kept('9'.repeat(5000)) }], write_context: 'long' }), 'too_large', `write context long: a number of 5000 characters ${limits}`);
  const many = { table: { columns: ['n'], rows: Array.from({ length: 10 }, () => [kept('9'.repeat(4000))]) }, write_context: 'long' };
  await rejects(h.data('update', 'encapsulate', many), 'too_large', `write context long: the data ${limits}`);
});
