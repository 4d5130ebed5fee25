import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeTags } from '../../../src/secrets/capsule/tag-summary.js';
import type { Tag } from '../../../src/secrets/capsule/tags.js';

const tag = (name: string, value = '', type: Tag['type'] = 'unary'): Tag => ({ name, value, type, source: 'email', hook_version: '1.0.0' });

test('occurrences add up over shared tag objects and over distinct objects that are the same tag', () => {
  const shared = tag('tag.sealtrail.io/pii/email');
  const twin = tag('tag.sealtrail.io/pii/email');
  const other = tag('tag.sealtrail.io/pii/phone');
  const summary = summarizeTags([shared, other, twin, shared, shared, twin]);
  assert.deepEqual(summary, {
    unique_tags: [{ tag: tag('tag.sealtrail.io/pii/email'), occurrences: 5 }, { tag: tag('tag.sealtrail.io/pii/phone'), occurrences: 1 }],
    elided_tags: [],
  });
  assert.notEqual(summary.unique_tags[0].tag, shared, 'the summary holds copies, not the capsule\'s tags');
});

test('a name with more distinct values than the limit is elided with its counts, over repeated objects', () => {
  const values = Array.from({ length: 4 }, (_, i) => tag('owner', `team-${i}`, 'string'));
  const tags = [...values, ...values, values[0]];
  assert.deepEqual(summarizeTags(tags, undefined, 3), { unique_tags: [], elided_tags: [{ name: 'owner', type: 'string', distinct_values: 4, occurrences: 9 }] });
  assert.deepEqual(summarizeTags(tags, undefined, 4).unique_tags.map((e) => [e.tag.value, e.occurrences]), [['team-0', 3], ['team-1', 2], ['team-2', 2], ['team-3', 2]]);
});
