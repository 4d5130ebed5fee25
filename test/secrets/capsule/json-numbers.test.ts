import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonNumber } from '../../../src/lib/json-number.js';
import { harness } from './helpers.js';

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
