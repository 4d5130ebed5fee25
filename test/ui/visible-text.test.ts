/** Record text in the console: characters that hide or reorder text are shown as escapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleJson, visibleText } from '../../ui/src/lib/visible-text.js';

test('bidi controls, zero-width and C1 characters, separators and lone surrogates are escaped', () => {
  assert.equal(visibleText('alert(3)\u202eeruliaf x'), 'alert(3)\\u202eeruliaf x');
  assert.equal(visibleText('ad\u200bmin\u2066\u2069\ufeff\u00ad'), 'ad\\u200bmin\\u2066\\u2069\\ufeff\\u00ad');
  assert.equal(visibleText('a\u0085b\u007fc\u2028d\u2029'), 'a\\u0085b\\u007fc\\u2028d\\u2029');
  assert.equal(visibleText('x\ud800y'), 'x\\ud800y');
});

test('ordinary text, other scripts and emoji are left alone', () => {
  for (const s of ['secret/data/app', 'arn:aws:kms:us-east-1:000000000000:key/1', 'שלום עולם', 'данные', '鍵', 'é (e\u0301)', '🔑 👩‍💻']) {
    // The zero-width joiner of an emoji sequence is a format character too: shown escaped.
    assert.equal(visibleText(s), s.replace('\u200d', '\\u200d'), s);
  }
});

test('JSON for display stays valid JSON of the same value', () => {
  const value = { 'k\u202e': 'v\u2028\u200b', n: 1, plain: 'text' };
  const shown = visibleJson(value);
  assert.doesNotMatch(shown, /[\u202e\u2028\u200b]/);
  assert.deepEqual(JSON.parse(shown), value);
  assert.equal(visibleJson('plain'), '"plain"');
});
