import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nestsDeeper as libNestsDeeper } from '../../src/lib/json-depth.js';
import { nestsDeeper as sdkNestsDeeper } from '../../src/sdk/json-depth.js';

test('the SDK\'s nesting scan is the one of src/lib, on every text', () => {
  // Texts of the characters that matter, at random: brackets, quotes, escapes, letters.
  const alphabet = ['[', ']', '{', '}', '"', '\\', 'a', ',', ':'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let n = 0; n < 5000; n++) {
    const text = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
    for (const max of [0, 1, 2, 3, 5]) assert.equal(sdkNestsDeeper(text, max), libNestsDeeper(text, max), `${text} (${max})`);
  }
});
