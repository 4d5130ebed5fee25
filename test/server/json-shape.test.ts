import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonShape } from '../../src/server/json-shape.js';

const limits = { maxDepth: 4, maxEntries: 6 };
const ok = (s: string) => checkJsonShape(Buffer.from(s), limits);
const code = (s: string, l = limits) => {
  try {
    checkJsonShape(Buffer.from(s), l);
    return 'ok';
  } catch (e: any) {
    return e.code;
  }
};

test('depth counts objects and arrays, not brackets inside strings', () => {
  ok('{"a":{"b":[{"c":1}]}}');
  assert.equal(code('{"a":{"b":[{"c":[1]}]}}'), 'json_too_deep');
  assert.equal(code('[[[[['), 'json_too_deep');
  ok('{"a":"{{{{{{[[[[[[","b":"\\"{{{{{{"}');
  ok('{"a":"\\\\","b":"[[[[[[[[[["}');
  assert.equal(code('{"a":"\\\\"}[[[[['), 'json_too_deep', 'an escaped backslash ends before the quote');
});

test('entries count object members and array elements at every level', () => {
  ok('{"a":1,"b":[1,2],"c":{"d":{}}}'); // a b c, 1 2, d = 6
  assert.equal(code('{"a":1,"b":[1,2],"c":{"d":{},"e":[]}}'), 'json_too_many_entries');
  ok('{ "a" : [ ] , "b" : { } }');
  assert.equal(code('[1,2,3,4,5,6,7]'), 'json_too_many_entries');
  ok('[1,2,3,4,5,6]');
  ok('["a,b,c,d,e,f,g,h"]');
});

test('one pass over a large body', () => {
  const big = Buffer.from(`{"a":[${'{},'.repeat(2_000_000)}{}]}`);
  const started = performance.now();
  assert.equal(code(big.toString(), { maxDepth: 64, maxEntries: 100_000 }), 'json_too_many_entries');
  const deep = Buffer.from('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
  assert.equal(code(deep.toString(), { maxDepth: 64, maxEntries: 100_000 }), 'json_too_deep');
  const strings = Buffer.from(JSON.stringify({ v: 'x'.repeat(8_000_000) }));
  checkJsonShape(strings, { maxDepth: 64, maxEntries: 100_000 });
  assert.ok(performance.now() - started < 1000);
});
