import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLines, type Line } from '../../src/journal/import/lines.js';

async function lines(chunks: (string | Buffer)[], max = 1024): Promise<Line[]> {
  async function* source() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
  }
  const out: Line[] = [];
  for await (const batch of readLines(source(), max)) out.push(...batch);
  return out;
}

test('lines split across chunks come out whole, numbered from 1, without \\n or \\r\\n', async () => {
  assert.deepEqual(await lines(['{"a":', '1}\r\n{"b"', ':2}\n', '{"c":3}\n']), [
    { line: 1, text: '{"a":1}', terminated: true },
    { line: 2, text: '{"b":2}', terminated: true },
    { line: 3, text: '{"c":3}', terminated: true },
  ]);
});

test('a last line without a newline is kept and marked unterminated', async () => {
  assert.deepEqual(await lines(['x\n{"tail":1']), [
    { line: 1, text: 'x', terminated: true },
    { line: 2, text: '{"tail":1}'.slice(0, 9), terminated: false },
  ]);
});

test('a line over the limit is reported and skipped to its end, in one chunk or across many', async () => {
  const long = 'y'.repeat(40);
  assert.deepEqual(await lines([`a\n${long}\nb\n`], 16), [
    { line: 1, text: 'a', terminated: true }, { line: 2, problem: 'longer than 16 bytes' }, { line: 3, text: 'b', terminated: true },
  ]);
  assert.deepEqual(await lines(['a\nyyyyyyyy', 'yyyyyyyyyy', 'yyyyyyyy\nb\n'], 16), [
    { line: 1, text: 'a', terminated: true }, { line: 2, problem: 'longer than 16 bytes' }, { line: 3, text: 'b', terminated: true },
  ]);
  assert.deepEqual(await lines(['a\n', 'z'.repeat(20)], 16), [{ line: 1, text: 'a', terminated: true }, { line: 2, problem: 'longer than 16 bytes' }]);
  // Exactly at the limit is fine, with or without \r.
  assert.deepEqual(await lines([`${'k'.repeat(16)}\r\n${'k'.repeat(16)}\n`], 16), [
    { line: 1, text: 'k'.repeat(16), terminated: true }, { line: 2, text: 'k'.repeat(16), terminated: true },
  ]);
});

test('the limit counts bytes, not characters', async () => {
  assert.deepEqual(await lines([`${'é'.repeat(10)}\n`], 16), [{ line: 1, problem: 'longer than 16 bytes' }]);
  assert.deepEqual(await lines([`${'é'.repeat(8)}\n`], 16), [{ line: 1, text: 'é'.repeat(8), terminated: true }]);
});

test('invalid UTF-8 is a bad line, its neighbours are not; multi-byte characters split across chunks survive', async () => {
  const bad = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('fine\n')]);
  assert.deepEqual(await lines([bad]), [
    { line: 1, text: 'ok', terminated: true }, { line: 2, problem: 'not valid UTF-8' }, { line: 3, text: 'fine', terminated: true },
  ]);
  const euro = Buffer.from('€\n');
  assert.deepEqual(await lines([euro.subarray(0, 1), euro.subarray(1)]), [{ line: 1, text: '€', terminated: true }]);
});

test('a record nested deeper than MAX_RECORD_DEPTH is a bad line, found without JSON.parse; strings do not count', async () => {
  const { parseObject, Problem, MAX_RECORD_DEPTH } = await import('../../src/journal/import/parsed.js');
  const deep = '{"a":' + '['.repeat(5_000_000) + ']'.repeat(5_000_000) + '}';
  const problem = parseObject(deep);
  assert.ok(problem instanceof Problem);
  assert.equal(problem.problem, `nested deeper than ${MAX_RECORD_DEPTH} levels`);
  // At the bound, a long text parses.
  const atBound = '{"a":' + '['.repeat(MAX_RECORD_DEPTH - 1) + ']'.repeat(MAX_RECORD_DEPTH - 1) + ',"pad":"' + 'x'.repeat(70_000) + '"}';
  assert.ok(!(parseObject(atBound) instanceof Problem));
  // Brackets inside strings, escaped quotes included, are text.
  const wide = JSON.stringify({ a: '['.repeat(100_000) + '\\"[[[', b: [[1]] });
  assert.deepEqual(parseObject(wide), JSON.parse(wide));
});

test('a short record is refused when it nests deeper than MAX_RECORD_DEPTH: one level past it, or 32,000 in 64 KiB', async () => {
  const { parseObject, Problem, MAX_RECORD_DEPTH } = await import('../../src/journal/import/parsed.js');
  const nested = (levels: number) => '{"x":' + '['.repeat(levels - 1) + ']'.repeat(levels - 1) + '}';
  for (const levels of [MAX_RECORD_DEPTH + 1, 32_001]) {
    assert.ok(JSON.parse(nested(levels)), 'JSON.parse reads it');
    assert.deepEqual(parseObject(nested(levels)), new Problem(`nested deeper than ${MAX_RECORD_DEPTH} levels`), `${levels} levels`);
  }
  assert.ok(!(parseObject(nested(MAX_RECORD_DEPTH)) instanceof Problem));
  // Brackets in strings do not count, however many.
  const text = JSON.stringify({ a: '{['.repeat(MAX_RECORD_DEPTH), b: [[1]] });
  assert.deepEqual(parseObject(text), JSON.parse(text));
});
