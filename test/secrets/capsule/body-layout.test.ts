import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseJson, stringifyJson } from '../../../src/lib/json-text.js';
import { explicitToken } from '../../../src/secrets/capsule/tokenize.js';
import { harness, type Harness } from './helpers.js';

/**
 * Capsules sealed with the first body layout, under a fixed test key ring, with what each read
 * context returned then (test/fixtures/capsule/v1-capsules.json).
 */
interface Fixture {
  keyring: unknown;
  write_contexts: Record<string, Record<string, unknown>>;
  read_contexts: Record<string, Record<string, unknown>>;
  cases: Record<string, { input: string; capsule: string; loads: Record<string, string> }>;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/capsule/v1-capsules.json', import.meta.url), 'utf8')) as Fixture;

async function fixtureHarness(): Promise<Harness> {
  const h = await harness();
  await h.storage.put('keys/ring', Buffer.from(JSON.stringify(fixture.keyring), 'utf8'));
  for (const [name, body] of Object.entries(fixture.write_contexts)) await h.call('update', `write-context/${name}`, body);
  for (const [name, body] of Object.entries(fixture.read_contexts)) await h.call('update', `read-context/${name}`, body);
  return h;
}

/** Every load of the fixture's table: read context, with and without the `purpose` parameter. */
async function loads(h: Harness, capsule: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rc of ['default', ...Object.keys(fixture.read_contexts)]) {
    for (const parameters of [{}, { purpose: 'export' }]) {
      const label = Object.keys(parameters).length > 0 ? `${rc}+export` : rc;
      try {
        const { capsule_id: _id, ...rest } = await h.data('update', 'load', { capsule, read_context: rc, parameters });
        out[label] = stringifyJson(rest);
      } catch (err) {
        out[label] = `error: ${(err as Error).message}`;
      }
    }
  }
  return out;
}

/**
 * What a load gave then, as summaries show it now: every rule tag of the fixture renders its value
 * from the data (`$value`, `$1`), and such a value is shown as its token, marked `from_data`.
 */
function shownNow(loads: Record<string, string>): Record<string, string> {
  const key = Buffer.from((fixture.keyring as { tokenization_key: string }).tokenization_key, 'base64');
  const out: Record<string, string> = {};
  for (const [label, text] of Object.entries(loads)) {
    if (text.startsWith('error: ')) {
      out[label] = text;
      continue;
    }
    const load = parseJson(text) as { summary: Record<string, unknown> };
    for (const part of ['allowed_tags', 'redacted_tags', 'tokenized_tags']) {
      const unique = (load.summary[part] as { unique_tags: Array<{ tag: Record<string, unknown> }> }).unique_tags;
      for (const entry of unique) {
        const { tag } = entry;
        if (tag.source === 'create' && tag.value !== '') entry.tag = { ...tag, value: explicitToken(key, String(tag.value)), from_data: true };
      }
      // Listed by name, then by the value shown (a stable sort keeps the rest as it was).
      const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      unique.sort((a, b) => order(String(a.tag.name), String(b.tag.name)) || order(String(a.tag.value), String(b.tag.value)));
    }
    out[label] = stringifyJson(load);
  }
  return out;
}

test('capsules sealed with the first body layout still load, every read context giving what it gave then', async () => {
  const h = await fixtureHarness();
  assert.deepEqual(Object.keys(fixture.cases), ['text', 'records', 'table']);
  for (const [name, c] of Object.entries(fixture.cases)) {
    assert.deepEqual(await loads(h, c.capsule), shownNow(c.loads), name);
  }
});

/**
 * The fixture's records hold 9223372036854775809, which passes the Luhn check: since numbers are
 * classified, the card detector tags it. Here it is swapped for a neighbour that does not pass, so
 * the loads of then still describe the same data (json-numbers.test.ts covers numbers' tags).
 */
const unclassified = (text: string) => text.replaceAll('9223372036854775809', '9223372036854775808');

test('the current layout round-trips unicode, escapes, kept numbers, empty strings and every effect as the first did', async () => {
  const h = await fixtureHarness();
  for (const [name, c] of Object.entries(fixture.cases)) {
    const sealed = await h.data('update', 'encapsulate', parseJson(unclassified(c.input)) as Record<string, unknown>);
    const then = Object.fromEntries(Object.entries(c.loads).map(([label, text]) => [label, unclassified(text)]));
    assert.deepEqual(await loads(h, sealed.capsule as string), shownNow(then), name);
  }
});

test('nested values are refused and a record keeps its keys in order, numeric and __proto__ included', async () => {
  const h = await harness();
  await assert.rejects(h.call('update', 'encapsulate', { records: [{ a: { b: 1 } }] }), /records\[0\]\.a: values must be strings/);
  await assert.rejects(h.call('update', 'encapsulate', { table: { columns: ['a'], rows: [[[1]]] } }), /table\.rows\[0\]\[0\]: values must be strings/);
  const text = '{"records":[{"b":"1","2":"two","__proto__":"p","a":""}],"table":null}';
  const sealed = await h.data('update', 'encapsulate', parseJson(text) as Record<string, unknown>);
  const loaded = await h.data('update', 'load', { read_context: 'default', capsule: sealed.capsule });
  assert.equal(JSON.stringify(loaded.records), '[{"2":"two","b":"1","__proto__":"p","a":""}]');
});

test('records and rows spread over several stored chunks come back in order, with effects and dropped records across chunks', async () => {
  const h = await harness();
  await h.call('update', 'write-context/flags', {
    detectors: ['email'],
    rules: [{ pattern: '^drop$', span_tags: [{ name: 'tag.example.com/drop' }] }],
  });
  await h.call('update', 'read-context/filter', {
    rules: [
      { match: { tags: [{ name: 'tag.example.com/drop' }] }, effect: 'DenyRecord' },
      { match: { tags: [{ name: 'tag.sealtrail.io/pii/email' }] }, effect: 'Redact' },
    ],
  });
  // 300 rows: three chunks of at most 128, every 7th row dropped, every 5th with an email.
  const rows = Array.from({ length: 300 }, (_, i) => [`r-${i}`, i % 7 === 3 ? 'drop' : 'keep', i % 5 === 0 ? `u${i}@example.com` : `n${i}`, i]);
  const expected = rows.filter((r) => r[1] !== 'drop').map((r) => [r[0], r[1], String(r[2]).includes('@') ? '{redacted}' : r[2], r[3]]);
  const table = await h.data('update', 'encapsulate', { table: { columns: ['id', 'flag', 'contact', 'n'], rows }, write_context: 'flags' });
  const loadedTable = await h.data('update', 'load', { capsule: table.capsule, read_context: 'filter' });
  assert.deepEqual(loadedTable.table, { columns: ['id', 'flag', 'contact', 'n'], rows: expected });
  assert.equal((loadedTable.summary as Record<string, unknown>).filtered_records, 43);

  const records = rows.map(([id, flag, contact, n]) => ({ id, flag, contact, n }));
  const sealed = await h.data('update', 'encapsulate', { records, write_context: 'flags' });
  const loaded = await h.data('update', 'load', { capsule: sealed.capsule, read_context: 'filter' });
  assert.deepEqual(loaded.records, expected.map(([id, flag, contact, n]) => ({ id, flag, contact, n })));
  const all = await h.data('update', 'load', { read_context: 'default', capsule: sealed.capsule });
  assert.deepEqual(all.records, records);
});

test('a body whose index or data does not fit is an integrity failure, never an internal error', async () => {
  const { BodyWriter } = await import('../../../src/secrets/capsule/body-writer.js');
  const { decodeBody } = await import('../../../src/secrets/capsule/body.js');
  const { applyReadContext } = await import('../../../src/secrets/capsule/apply-read.js');
  const context = { name: 'default', description: '', parameters: [], rules: [] };
  const meta = { shape: { kind: 'table' as const, columns: ['a'] }, capsuleTags: [], writeContext: 'x', location: null, createdTime: 't' };
  const tag = { name: 'tag.x.y/t', value: '', type: 'unary' as const, source: 's', hook_version: '1.0.0' };
  const read = (bytes: Buffer) => applyReadContext(decodeBody(bytes), context, {}, Buffer.alloc(32));
  const integrity = (err: unknown) => (err as { code?: string }).code === 'capsule_integrity';

  // A span past the end of its value, a field past the end of its row, a record past the last one.
  for (const [record, field, end] of [[0, 0, 9], [0, 3, 1], [2, 0, 1]]) {
    const w = new BodyWriter();
    w.field(record, field, [], [{ start: 0, end, tags: [tag] }]);
    assert.throws(() => read(w.finish(meta, ['[["abc"],["de"]]'], false)), integrity, `${record} ${field} ${end}`);
  }
  // A span on a number covers its whole literal text, and only a number has one besides a string.
  for (const spans of [[[0, 2]], [[0, 1], [1, 5]], [[0, 6]]]) {
    const w = new BodyWriter();
    w.field(0, 0, [], spans.map(([start, end]) => ({ start, end, tags: [tag] })));
    assert.throws(() => read(w.finish(meta, ['[[12345]]'], false)), integrity, JSON.stringify(spans));
  }
  for (const value of ['true', 'null']) {
    const w = new BodyWriter();
    w.field(0, 0, [], [{ start: 0, end: 4, tags: [tag] }]);
    assert.throws(() => read(w.finish(meta, [`[[${value}]]`], false)), integrity, value);
  }
  const number = new BodyWriter();
  number.field(0, 0, [], [{ start: 0, end: 5, tags: [tag] }]);
  assert.deepEqual(read(number.finish(meta, ['[[12345]]'], false)).output, { table: { columns: ['a'], rows: [[12345]] } });
  // A truncated body, data of the wrong shape, an unknown first byte.
  const good = new BodyWriter().finish(meta, ['[["abc"]]'], false);
  assert.deepEqual(read(good).output, { table: { columns: ['a'], rows: [['abc']] } });
  assert.throws(() => read(good.subarray(0, good.length - 3)), integrity);
  assert.throws(() => read(new BodyWriter().finish(meta, ['{"rows":[]}'], false)), integrity);
  assert.throws(() => read(Buffer.concat([Buffer.from([9]), good.subarray(1)])), integrity);
});
