import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explicitToken, syntheticToken } from '../../../src/secrets/capsule/tokenize.js';
import { harness } from './helpers.js';

test('tokenization is deterministic within a domain: same value, same token, across capsules and key rotations', async () => {
  const h = await harness();
  await h.call('update', 'read-context/tok', {
    rules: [
      { match: { tags: [{ name: 'tag.sealtrail.io/pii/email' }] }, effect: 'Tokenize', priority: 1 },
      { match: { tags: [{ name: 'tag.sealtrail.io/pii/phone' }] }, effect: 'Tokenize', token_format: 'synthetic', priority: 2 },
    ],
  });
  const load = async (text: string) => {
    const c = await h.data('update', 'encapsulate', { data: text, write_context: 'sensitive' });
    return h.data('update', 'load', { capsule: c.capsule, read_context: 'tok' });
  };
  const a = await load('from ann@example.org');
  await h.call('update', 'keys/rotate');
  const b = await load('to ann@example.org, cc bob@example.org, call 415-555-0100');
  const tokenA = /tk-[0-9a-f]{32}/.exec(a.data as string)![0];
  const tokens = (b.data as string).match(/tk-[0-9a-f]{32}/g)!;
  assert.equal(a.data, `from ${tokenA}`);
  assert.equal(tokens[0], tokenA);
  assert.notEqual(tokens[1], tokenA);
  assert.match(b.data as string, /^to tk-[0-9a-f]{32}, cc tk-[0-9a-f]{32}, call \d{3}-\d{3}-\d{4}$/);
  assert.doesNotMatch(b.data as string, /415-555-0100/);
  assert.deepEqual((b.summary as Record<string, unknown>).tokenized_tags, {
    unique_tags: [
      { tag: { name: 'tag.sealtrail.io/pii/email', value: '', type: 'unary', source: 'email', hook_version: '1.0.0' }, occurrences: 2 },
      { tag: { name: 'tag.sealtrail.io/pii/phone', value: '', type: 'unary', source: 'phone', hook_version: '1.0.0' }, occurrences: 1 },
    ],
    elided_tags: [],
  });
  // Another domain has another tokenization key.
  const other = await harness();
  await other.call('update', 'read-context/tok', { rules: [{ match: { tags: [{ name: 'tag.sealtrail.io/pii/email' }] }, effect: 'Tokenize' }] });
  const c = await other.data('update', 'encapsulate', { data: 'from ann@example.org', write_context: 'sensitive' });
  assert.notEqual((await other.data('update', 'load', { capsule: c.capsule, read_context: 'tok' })).data, a.data);
});

test('token formats (golden values under a fixed key)', () => {
  const key = Buffer.alloc(32, 7);
  // tk- + the first 16 bytes of HMAC-SHA256(key, "explicit\0" + value), as hex.
  assert.equal(explicitToken(key, 'ann@example.org'), 'tk-b091821a2b01fbcc9b0de03a1eb6a0fb');
  // Same shape: letters stay letters (same case), digits stay digits, separators and TLD stay.
  assert.equal(syntheticToken(key, 'ann.lee@mail.example.org'), 'kfv.nou@sgbn.efomlou.org');
  assert.equal(syntheticToken(key, '4111 1111 1111 1111'), '4186 6753 0132 6212');
  assert.equal(syntheticToken(key, 'John Smith'), 'Bnki Spswj');
  assert.equal(syntheticToken(key, 'John'), syntheticToken(key, 'John'));
});
