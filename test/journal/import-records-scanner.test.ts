import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordsFileError, scanRecords, type ScannedElement } from '../../src/journal/import/records-scanner.js';

async function scan(text: string, chunkSize = text.length, max = 1024): Promise<(string | { index: number; problem: string })[]> {
  async function* source() {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: ScannedElement[] = [];
  for await (const batch of scanRecords(source(), max)) out.push(...batch);
  return out.map((e) => ('bytes' in e ? e.bytes.toString() : e));
}

const FILE = '{"Records":[{"a":1.50,"s":"x\\"}]{","n":{"b":[1,{"c":2}]}} , {"z":true}]}';

test('each element is its exact bytes (number spelling, escapes, nesting), in every chunking', async () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    assert.deepEqual(await scan(FILE, size), ['{"a":1.50,"s":"x\\"}]{","n":{"b":[1,{"c":2}]}}', '{"z":true}'], `chunk ${size}`);
  }
});

test('other top-level keys, before or after, and a "Records" inside a record are not the array', async () => {
  const text = '{ "Other" : [{"x":1}], "Nested": {"Records":[{"no":1}]}, "Records" : [ {"yes":1} ], "After": "Records"}';
  assert.deepEqual(await scan(text, 5), ['{"yes":1}']);
});

test('a non-object element and an element over the limit are bad, numbered by position', async () => {
  assert.deepEqual(await scan(`{"Records":[{"a":1},42,{"big":"${'b'.repeat(50)}"},{"c":3}]}`, 8, 32), [
    '{"a":1}', { index: 2, problem: 'not a JSON object' }, { index: 3, problem: 'longer than 32 bytes' }, '{"c":3}',
  ]);
});

test('elements without a comma between them, and empty ones, are bad (JSON.parse refuses the file); the others are read', async () => {
  const empty = (index: number) => ({ index, problem: 'not JSON: an empty element' });
  const noComma = (index: number) => ({ index, problem: 'not JSON: no comma before it' });
  const cases: [string, (string | { index: number; problem: string })[]][] = [
    ['{"Records":[{"a":1},,,{"b":2}]}', ['{"a":1}', empty(2), empty(3), '{"b":2}']],
    ['{"Records":[{"a":1} {"b":2},{"c":3}]}', ['{"a":1}', noComma(2), '{"c":3}']],
    ['{"Records":[{"a":1}\n{"b":2}]}', ['{"a":1}', noComma(2)]],
    ['{"Records":[,{"a":1}]}', [empty(1), '{"a":1}']],
    ['{"Records":[{"a":1},]}', ['{"a":1}', empty(2)]],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    for (const size of [1, 3, 1000]) assert.deepEqual(await scan(text, size), expected, `${text} in chunks of ${size}`);
  }
  assert.deepEqual(await scan('{"Records":[ ]}', 1), []);
});

test('files that are not a whole {"Records":[...]} document throw after what was read', async () => {
  await assert.rejects(scan('[1,2]'), /no \{"Records"/);
  await assert.rejects(scan('{"records":[]}'), /no "Records" array/);
  // A Vault audit log given as --format cloudtrail: its first line is an object without Records.
  for (const size of [1, 1000]) await assert.rejects(scan('{"time":"t","type":"request"}\n{"time":"t","type":"response"}\n', size), (err: Error) => err.message === 'no "Records" array');
  await assert.rejects(scan(''), /empty file/);
  const partial: unknown[] = [];
  async function* cut() { yield Buffer.from('{"Records":[{"a":1},{"b":'); }
  await assert.rejects(async () => { for await (const b of scanRecords(cut(), 1024)) partial.push(...b); }, /truncated after 1 records/);
  assert.equal(partial.length, 1);
});

test('what JSON.parse would read otherwise is a fault, raised after the records before it', async () => {
  const read = async (text: string, chunkSize: number): Promise<{ records: string[]; error?: string }> => {
    const records: string[] = [];
    async function* source() {
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    }
    try {
      for await (const batch of scanRecords(source(), 1024)) for (const e of batch) if ('bytes' in e) records.push(e.bytes.toString());
      return { records };
    } catch (err) {
      assert.ok(err instanceof RecordsFileError);
      return { records, error: err.message };
    }
  };
  for (const size of [1, 4, 1000]) {
    // JSON.parse keeps the last "Records"; reading the first would import the wrong records.
    assert.deepEqual(await read('{"Records":[{"a":1}],"Records":[{"b":2}]}', size), { records: ['{"a":1}'], error: 'more than one "Records" key' });
    // A second document (two files concatenated) would be dropped without a word.
    assert.deepEqual(await read('{"Records":[{"a":1}]}\n{"Records":[{"b":2}]}', size), { records: ['{"a":1}'], error: 'data after the end of the {"Records":[...]} document' });
    // "Rec\u006frds" is "Records" to JSON.parse.
    assert.deepEqual(await read('{"Rec\\u006frds":[{"a":1}]}', size), { records: [], error: 'a top-level key written with escapes' });
    // Whitespace after the document, and escapes in values or inside records, are fine.
    assert.deepEqual(await read('{"Note":"a\\"b","Records":[{"k\\u0041":"\\n"}]}\n\n', size), { records: ['{"k\\u0041":"\\n"}'] });
  }
  assert.deepEqual(JSON.parse('{"Records":[{"a":1}],"Records":[{"b":2}]}').Records, [{ b: 2 }]);
});
