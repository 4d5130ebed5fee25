/** Lone surrogates in request JSON are read as U+FFFD, as Go's decoder reads them in Vault. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson } from '../../src/lib/json-text.js';
import { JsonNumber } from '../../src/lib/json-number.js';
import { mayHoldLoneSurrogate, replaceLoneSurrogates } from '../../src/lib/well-formed.js';

test('a lone surrogate in a value or a key becomes U+FFFD; pairs, other text and numbers are kept', () => {
  const parsed = parseJson('{"a":"x\\ud800y","\\udc00k":["\\ud83d\\ude00","\\ud83d"],"n":12345678901234567890,"p":"plain"}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['a', '\ufffdk', 'n', 'p'], 'in their order');
  assert.equal(parsed.a, 'x\ufffdy');
  assert.deepEqual(parsed['\ufffdk'], ['😀', '\ufffd']);
  assert.ok(parsed.n instanceof JsonNumber);
  assert.equal(parsed.p, 'plain');
});

test('keys that become equal keep the later value, as duplicate keys do; __proto__ stays an own key', () => {
  assert.deepEqual(parseJson('{"\\ud800":"first","\\ufffd":"second"}'), { '\ufffd': 'second' });
  assert.deepEqual(parseJson('{"\\ufffd":"first","\\ud800":"second"}'), { '\ufffd': 'second' });
  const odd = parseJson('{"__proto__":{"x":"\\udfff"},"\\ud800":1}') as Record<string, unknown>;
  assert.ok(Object.hasOwn(odd, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, { x: '\ufffd' });
  assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype touched');
});

test('text without a surrogate escape is not walked', () => {
  assert.equal(mayHoldLoneSurrogate('{"a":"\\u00e9"}'), false);
  assert.equal(mayHoldLoneSurrogate('{"a":"\\uD800"}'), true);
  const frozen = Object.freeze({ a: 'x' });
  assert.equal(replaceLoneSurrogates(frozen), frozen);
});
