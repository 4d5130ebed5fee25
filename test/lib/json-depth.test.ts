import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nestsDeeper } from '../../src/lib/json-depth.js';

/** Texts and how deep each nests: brackets inside strings, escaped quotes and bad JSON included. */
const DEPTH_CASES: ReadonlyArray<[text: string, depth: number]> = [
  ['1', 0],
  ['"[[[["', 0],
  ['{}', 1],
  ['[[]]', 2],
  ['{"a":[{"b":[]}]}', 4],
  ['["\\"[[[", ["\\\\"], "]]]"]', 2],
  ['{"k\\\\":"[", "v":{"w":"\\u005b"}}', 2],
  ['[[[', 3],
  ['[1,[2,[3]],[4]]', 3],
  ['"unterminated [[[', 0],
];

test('nestsDeeper: the depth of objects and arrays outside strings, whether the text is valid JSON or not', () => {
  for (const [text, depth] of DEPTH_CASES) {
    assert.equal(nestsDeeper(text, depth), false, `${text} nests ${depth}`);
    if (depth > 0) assert.equal(nestsDeeper(text, depth - 1), true, `${text} nests deeper than ${depth - 1}`);
  }
});

test('nestsDeeper: 64 MiB of [ is refused in one pass, at the first level past the bound', () => {
  const text = '['.repeat(64 * 1024 * 1024);
  const started = performance.now();
  assert.equal(nestsDeeper(text, 64), true);
  assert.ok(performance.now() - started < 1000);
  assert.equal(nestsDeeper(`${'['.repeat(1000)}${']'.repeat(1000)}`, 1000), false);
});
