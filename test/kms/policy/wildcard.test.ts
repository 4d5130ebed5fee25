import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnWorker } from '../../../src/lib/spawn-worker.js';
import { wildcardMatch } from '../../../src/kms/policy/wildcard.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

test('wildcard matching: `*` any run, `?` one character, everything else literal', () => {
  const cases: Array<[pattern: string, value: string, expected: boolean]> = [
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    ['*', '', true],
    ['**', '', true],
    ['*', 'anything at all', true],
    ['?', '', false],
    ['??', 'ab', true],
    ['??', 'a', false],
    ['??', 'abc', false],
    ['*?', '', false],
    ['*?', 'x', true],
    ['?*', 'xyz', true],
    ['a*b*c', 'abbbc', true],
    ['a*b*c', 'abcbc', true],
    ['a*b*c', 'acb', false],
    ['a*b*c', 'abc', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['a**b', 'ab', true],
    ['*a?c*', 'xxabdcx', false],
    ['*a?c*', 'xxabcx', true],
    ['*x', 'xax', true],
    ['a*b', 'a\nb', true],
    ['a?b', 'a\nb', true],
    // Regular expression syntax is literal text.
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['(x)', '(x)', true],
    ['(x)', 'x', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['a\\b', 'a\\b', true],
    ['a\\b', 'ab', false],
    ['$', '$', true],
    ['^a$', 'a', false],
    ['^a$', '^a$', true],
    ['a+', 'aa', false],
    ['a{2}', 'aa', false],
    ['a|b', 'a', false],
    ['*.json', 'x.json', true],
    ['*.json', 'xjson', false],
    // A character is a UTF-16 code unit.
    ['?', '😀', false],
    ['??', '😀', true],
    ['*', '😀', true],
    ['*😀?*', 'x😀y', true],
    ['*?😀*', 'x😀', true],
    ['*?😀?*', '😀', false],
    // Resources.
    ['arn:aws:kms:*:111122223333:key/*', KEY, true],
    ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-????-*', KEY, true],
    ['arn:aws:kms:us-east-1:111122223333:alias/*', KEY, false],
    ['tenants/*/*.json', 'tenants/a/b/c.json', true],
    ['tenants/*/*.json', 'tenants/c.json', false],
  ];
  for (const [pattern, value, expected] of cases) {
    assert.equal(wildcardMatch(pattern, value), expected, `${JSON.stringify(pattern)} ~ ${JSON.stringify(value)}`);
  }
});

test('ignoreCase folds case as a /i regular expression does, never changing what `?` stands for', () => {
  const cases: Array<[pattern: string, value: string, expected: boolean]> = [
    ['kms:generate*', 'kms:GenerateDataKey', true],
    ['KMS:DECRYPT', 'kms:Decrypt', true],
    ['kms:Encrypt', 'kms:Decrypt', false],
    ['é', 'É', true],
    ['?', 'İ', true],
    ['??', 'İ', false],
    ['i', 'İ', false],
    ['ss', 'ß', false],
    ['?', 'ß', true],
    ['k', '\u212a', false], // the Kelvin sign folds to no ASCII letter
  ];
  for (const [pattern, value, expected] of cases) {
    assert.equal(wildcardMatch(pattern, value, true), expected, `${JSON.stringify(pattern)} ~i ${JSON.stringify(value)}`);
  }
  assert.equal(wildcardMatch('kms:encrypt', 'kms:Encrypt'), false, 'case-sensitive without ignoreCase');
});

/** The textbook dynamic program: whether pattern[..i] matches value[..j], for every i and j. */
function reference(pattern: string, value: string): boolean {
  let row = [true, ...Array<boolean>(value.length).fill(false)];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const next = [c === '*' && row[0]];
    for (let j = 1; j <= value.length; j++) {
      next[j] = c === '*' ? next[j - 1] || row[j] : row[j - 1] && (c === '?' || c === value[j - 1]);
    }
    row = next;
  }
  return row[value.length];
}

test('agrees with a reference dynamic program on 20,000 random patterns and values', () => {
  let seed = 20_240_601;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const word = (alphabet: readonly string[], max: number) => Array.from({ length: random(max + 1) }, () => alphabet[random(alphabet.length)]).join('');
  // The two halves of 😀 as separate characters: a surrogate is a character like any other.
  const letters = ['a', 'b', '.', '\ud83d', '\ude00'];
  for (let i = 0; i < 20_000; i++) {
    const pattern = word([...letters, '*', '?'], 8);
    const value = word(letters, 10);
    assert.equal(wildcardMatch(pattern, value), reference(pattern, value), `${JSON.stringify(pattern)} ~ ${JSON.stringify(value)}`);
  }
});

test('inputs that held the backtracking matcher for seconds or hours are decided within a deadline', async () => {
  const cases: Array<[pattern: string, value: string, expected: boolean]> = [
    // A key policy Resource that no key ARN ends with (about 30 s per evaluation before).
    ['*?*?*?*?*?*?*?!', KEY, false],
    ['*?'.repeat(2000) + '!', KEY.repeat(100), false],
    // A StringLike condition on an encryption context value (about 18 s before, for 70 slashes).
    ['tenants/*/*/*/*/*/*/*.json', `tenants/${'/'.repeat(70)}`, false],
    ['tenants/*/*/*/*/*/*/*.json', `tenants/${'/'.repeat(100_000)}`, false],
    ['tenants/*/*/*/*/*/*/*.json', `tenants/${'/'.repeat(100_000)}x.json`, true],
    // Value length times the longest segment: the bound, not a blow-up.
    [`*${'a?'.repeat(500)}b*`, 'a'.repeat(4096), false],
    [`*${'a'.repeat(4000)}b*`, 'a'.repeat(1_000_000), false],
    ['*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(1_000_000), false],
  ];
  const worker = spawnWorker(import.meta.url, 'wildcard-worker', cases.flatMap(([p, v]) => [[p, v, false], [p, v, true]]));
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the matcher did not finish within 10 s')), 10_000);
    });
    const [results] = await Promise.race([once(worker, 'message'), deadline]) as [boolean[]];
    assert.deepEqual(results, cases.flatMap(([, , expected]) => [expected, expected]));
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
});
