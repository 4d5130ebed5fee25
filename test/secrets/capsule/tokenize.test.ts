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

test('a synthetic token replaces every letter and digit, not only ASCII ones', () => {
  const key = Buffer.alloc(32, 7);
  // Letters of any script become ASCII letters (case kept where the script has one), digits of
  // any script ASCII digits; combining marks go with the letter they mark.
  for (const value of ['Иван Петров', '王小明', '１２３-４５-６７８９', 'José Ñúñez', 'Jose\u0301', 'ΣΩΚΡΑΤΗΣ', '٣٤٥', '𝐀𝐁𝐂']) {
    const token = syntheticToken(key, value);
    assert.match(token, /^[A-Za-z0-9 -]+$/, `${value} → ${token}`);
    assert.equal(syntheticToken(key, value), token);
  }
  assert.match(syntheticToken(key, 'Иван Петров'), /^[A-Z][a-z]{3} [A-Z][a-z]{5}$/);
  assert.match(syntheticToken(key, '１２３-４５-６７８９'), /^\d{3}-\d{2}-\d{4}$/);
  assert.match(syntheticToken(key, 'josé@пример.рф'), /^[a-z]{4}@[a-z]{6}\.рф$/);
});

test('a synthetic token keeps only a top-level domain after an e-mail, never the rest of a text', () => {
  const key = Buffer.alloc(32, 7);
  const notes = 'Write to ann@example.org. Diagnosis: HIV positive, SSN 123-45-6789';
  const token = syntheticToken(key, notes);
  assert.doesNotMatch(token, /Diagnosis|HIV|positive|SSN|123-45-6789/, token);
  assert.match(token, /^[A-Z][a-z]{4} [a-z]{2} [a-z]{3}@[a-z]{7}\.[a-z]{3}\. [A-Z][a-z]{8}: [A-Z]{3} [a-z]{8}, [A-Z]{3} \d{3}-\d{2}-\d{4}$/);
  assert.match(syntheticToken(key, 'see ann@example.org'), /^[a-z]{3} [a-z]{3}@[a-z]{7}\.org$/);
});

test('a tag value a rule rendered from the data is shown as its token in the load summary and the access log, whatever the effect', async () => {
  const h = await harness();
  await h.call('update', 'write-context/ssn', {
    rules: [{
      pattern: '\\d{3}-\\d{2}-\\d{4}',
      span_tags: [{ name: 'acme.io/pii/ssn', value: '$0' }, { name: 'acme.io/pii/kind', value: 'ssn' }],
    }, { pattern: 'salary \\d+', span_tags: [{ name: 'acme.io/hr/note', value: 'about: $value' }] }],
  });
  await h.call('update', 'read-context/redact-ssn', { rules: [{ match: { tags: [{ name: 'acme.io/pii/ssn' }] }, effect: 'Redact', priority: 1 }] });
  await h.call('update', 'read-context/tok-ssn', { rules: [{ match: { tags: [{ name: 'acme.io/pii/ssn' }] }, effect: 'Tokenize', priority: 1 }] });
  const text = 'SSN 987-65-4321, salary 250000';
  const sealed = await h.data('update', 'encapsulate', { data: text, write_context: 'ssn' });
  for (const readContext of ['redact-ssn', 'tok-ssn', 'default']) {
    const loaded = await h.data('update', 'load', { capsule: sealed.capsule, read_context: readContext });
    const summary = JSON.stringify(loaded.summary);
    assert.ok(!summary.includes('987-65-4321') && !summary.includes('250000'), `${readContext}: ${summary}`);
    const tags = Object.values(loaded.summary as Record<string, { unique_tags?: Array<{ tag: Record<string, unknown> }> }>)
      .flatMap((s) => s?.unique_tags ?? []).map((e) => e.tag);
    const ssn = tags.find((t) => t.name === 'acme.io/pii/ssn')!;
    assert.equal(ssn.from_data, true);
    assert.match(String(ssn.value), /^tk-[0-9a-f]{32}$/);
    // The Tokenize effect's token for the same text: a summary joins what tok-ssn returns.
    if (readContext === 'tok-ssn') assert.equal(loaded.data, `SSN ${String(ssn.value)}, salary 250000`);
    // A constant value is the rule author's, shown as it is.
    assert.deepEqual(tags.find((t) => t.name === 'acme.io/pii/kind'), { name: 'acme.io/pii/kind', value: 'ssn', type: 'string', source: 'create', hook_version: '1.0.0' });
    assert.equal(tags.find((t) => t.name === 'acme.io/hr/note')!.from_data, true);
  }
  const log = JSON.stringify(await h.accessLog({ order: 'asc' }));
  assert.ok(!log.includes('987-65-4321') && !log.includes('250000'), 'the access log holds no value of the data');
});
