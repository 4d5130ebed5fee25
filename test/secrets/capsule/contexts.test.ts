import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTOR_NAMES } from '../../../src/secrets/capsule/index.js';
import { harness, rejects } from './helpers.js';

test('default and sensitive exist from the start; default cannot be deleted', async () => {
  const h = await harness();
  assert.deepEqual(await h.data('list', 'write-context/'), { keys: ['default', 'sensitive'] });
  assert.deepEqual(await h.data('list', 'read-context/'), { keys: ['default'] });
  assert.deepEqual(await h.data('read', 'write-context/sensitive'), { name: 'sensitive', description: 'every built-in detector', detectors: [...DETECTOR_NAMES], rules: [] });
  assert.deepEqual(await h.data('read', 'write-context/default'), { name: 'default', description: 'no classification', detectors: [], rules: [] });
  await rejects(h.call('delete', 'write-context/default'), 'invalid', 'the "default" context cannot be deleted');
  await rejects(h.call('delete', 'read-context/default'), 'invalid', 'the "default" context cannot be deleted');
  await h.call('delete', 'write-context/sensitive');
  assert.deepEqual(await h.data('list', 'write-context/'), { keys: ['default'] });
});

test('context create, update and delete each leave one control record (and reads leave none)', async () => {
  const h = await harness();
  await h.call('update', 'write-context/ids', { detectors: ['email', 'email'], rules: [{ pattern: 'ID-\\d+', span_tags: [{ name: 'tag.example.com/id', value: '$0' }] }] });
  h.clock.advance(1);
  await h.call('update', 'write-context/ids', { description: 'v2', detectors: ['ssn'] });
  h.clock.advance(1);
  await h.call('read', 'write-context/ids');
  await h.call('update', 'read-context/r', { rules: [{ match: { tags: [{ name: 'tag.example.com/id', op: 'regex', value: '^ID-9' }] }, effect: 'Redact' }] });
  await h.call('delete', 'write-context/ids');
  await h.call('delete', 'read-context/r');
  assert.deepEqual(await h.data('read', 'write-context/ids').catch((e: Error) => e.message), 'no write context named "ids"');

  const log = await h.controlLog({ order: 'asc' });
  assert.deepEqual(log.map((r) => [r.url, r.summary]), [
    ['/v1/capsule/write-context/ids', 'Created write context ids'],
    ['/v1/capsule/write-context/ids', 'Updated write context ids'],
    ['/v1/capsule/read-context/r', 'Created read context r'],
    ['/v1/capsule/write-context/ids', 'Deleted write context ids'],
    ['/v1/capsule/read-context/r', 'Deleted read context r'],
  ]);
  assert.deepEqual(log[0].description, {
    method: 'POST',
    write_context: {
      name: 'ids', description: '', detectors: ['email'],
      rules: [{ pattern: 'ID-\\d+', match_on_key: false, span_tags: [{ name: 'tag.example.com/id', type: 'string', value: '$0' }], capsule_tags: [] }],
    },
  });
  assert.equal(log[0].session, await h.backend.sessionId('acc-app-1'));
});

test('bad contexts are refused with clear messages', async () => {
  const h = await harness();
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['write-context/x', { detectors: ['dna'] }, 'unknown detector; expected one of email, phone, credit_card, ip_address, ssn, iban, date, person_name'],
    ['write-context/x', { rules: [{ pattern: '(', span_tags: [{ name: 'tag.a.b/c' }] }] }, 'rules[0].pattern is not a valid regular expression'],
    ['write-context/x', { rules: [{ pattern: 'a' }] }, 'rules[0] attaches no tag: give span_tags or capsule_tags'],
    ['write-context/x', { rules: [{ pattern: 'a', span_tags: [{ name: 'Bad Name' }] }] }, 'rules[0].span_tags[0]: tag name must look like "tag.example.com/group/name"'],
    ['write-context/bad%20name', {}, 'invalid write context name: use letters, digits, "_", "-" and "." (at most 128)'],
    ['read-context/x', { rules: [{ effect: 'Shred' }] }, 'rules[0].effect must be one of Allow, Redact, Tokenize, DenyRecord, DenyCapsule'],
    ['read-context/x', { rules: [{ effect: 'Redact', match: { tags: [{ name: 'tag.a.b/c', op: 'in', value: 'x' }] } }] }, 'rules[0].match.tags[0].value must be a list of strings for "in"'],
    ['read-context/x', { parameters: [{ key: 'a' }, { key: 'a' }] }, '"parameters" keys must be unique'],
    ['read-context/x', { rules: [{ effect: 'Tokenize', token_format: 'fancy' }] }, 'rules[0].token_format must be explicit or synthetic'],
  ];
  for (const [path, body, message] of cases) await rejects(h.call('update', path, body), 'invalid', message);
  assert.deepEqual(await h.controlLog(), []);
});

test('read rules: priority order, first match wins, tag operators and parameters', async () => {
  const h = await harness();
  await h.call('update', 'write-context/lv', {
    rules: [{ pattern: '(low|mid|high)-(\\w+)', span_tags: [{ name: 'tag.example.com/level', value: '$1' }, { name: 'tag.example.com/item', value: '$2' }] }],
  });
  await h.call('update', 'read-context/levels', {
    parameters: [{ key: 'role' }],
    rules: [
      { match: { tags: [{ name: 'tag.example.com/level', value: 'low' }] }, effect: 'Allow', priority: 50 },
      { match: { tags: [{ name: 'tag.example.com/level', op: 'in', value: ['high', 'mid'] }], parameters: { role: 'admin' } }, effect: 'Allow', priority: 10 },
      { match: { tags: [{ name: 'tag.example.com/level', op: 'neq', value: 'mid' }] }, effect: 'Tokenize', priority: 30 },
      { match: { tags: [{ name: 'tag.example.com/item', op: 'regex', value: '^s' }] }, effect: 'Redact', priority: 20 },
    ],
  });
  const c = await h.data('update', 'encapsulate', { data: 'low-apple mid-sock high-stone high-tree mid-pen', write_context: 'lv' });
  const asUser = await h.data('update', 'load', { capsule: c.capsule, read_context: 'levels', parameters: { role: 'user' } });
  assert.match(asUser.data as string, /^tk-[0-9a-f]{32} \{redacted\} \{redacted\} tk-[0-9a-f]{32} mid-pen$/);
  const asAdmin = await h.data('update', 'load', { capsule: c.capsule, read_context: 'levels', parameters: { role: 'admin' } });
  assert.equal(asAdmin.data, (asUser.data as string).split(' ')[0] + ' mid-sock high-stone high-tree mid-pen');
});
