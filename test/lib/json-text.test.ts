import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonNumber, exactSafeInteger, isJsonNumber, jsonNumberOf } from '../../src/lib/json-number.js';
import { containsJsonNumber, mayNeedKeeping, parseJson, stringifyJson } from '../../src/lib/json-text.js';
import { deepFreeze, isDeepFrozen } from '../../src/lib/immutable.js';
import { isJsonObject } from '../../src/lib/safe-object.js';

/** Each of these changes through float64. */
const KEPT = [
  '9223372036854775809', '1e400', '-0', '123456789012345678901234567890.123456789012345678901234567890',
  '12345678901234567890', '1.0', '0.100000000000000000000000000001', '1E5', '1e-07', '0.0000001', '-0.0', '1.50',
  '9007199254740993', '2.5e+3',
];

test('numbers float64 would change round-trip as their literal text, at the top level and nested', () => {
  for (const text of KEPT) {
    const body = `{"n":${text},"list":[${text},{"deep":${text}}]}`;
    const value = parseJson(body) as { n: unknown; list: [unknown, { deep: unknown }] };
    assert.ok(value.n instanceof JsonNumber, text);
    assert.equal((value.n as JsonNumber).text, text);
    assert.equal(stringifyJson(value), body, text);
    assert.equal(parseJson(text) instanceof JsonNumber, true);
    assert.equal(stringifyJson(parseJson(text)), text);
  }
});

test('numbers float64 keeps stay plain numbers, even on the slow path', () => {
  // The long string forces the slow path; every number in it writes back as its own text.
  const body = '{"s":"12345678901234567890","a":1,"b":-2.5,"c":0.1,"d":1e+21,"e":9007199254740991,"f":5e-7,"g":0}';
  assert.equal(mayNeedKeeping(body), true);
  const value = parseJson(body) as Record<string, unknown>;
  assert.deepEqual(value, JSON.parse(body));
  for (const v of Object.values(value)) assert.ok(!isJsonNumber(v));
  assert.equal(stringifyJson(value), body);
});

test('an ordinary KV body takes the fast path: nothing in it needs keeping', () => {
  const body = '{"data":{"username":"svc-payments","password":"correct-horse-battery-staple","port":5432,"ratio":0.75,"enabled":true,"tags":["a","b"],"retries":3,"owner":null}}';
  assert.equal(mayNeedKeeping(body), false);
  assert.equal(containsJsonNumber(JSON.parse(body)), false);
});

test('the fast-path test has no false negatives: a number it lets through survives float64 (random, seeded)', () => {
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const digits = (n: number) => Array.from({ length: n }, () => String(rnd(10))).join('');
  let checked = 0;
  for (let i = 0; i < 20_000; i++) {
    const whole = rnd(4) === 0 ? '0' : String(1 + rnd(9)) + digits(rnd(22));
    // Runs of zeros after the point reach the sub-1e-6 numbers JavaScript writes with an exponent.
    const fraction = rnd(2) ? '.' + '0'.repeat(rnd(3) === 0 ? rnd(9) : 0) + digits(1 + rnd(20)) : '';
    const exponent = rnd(8) === 0 ? `e${['', '+', '-'][rnd(3)]}${rnd(400)}` : '';
    const text = (rnd(3) === 0 ? '-' : '') + whole + fraction + exponent;
    if (mayNeedKeeping(text)) continue;
    checked++;
    assert.equal(String(Number(text)), text, text);
  }
  assert.ok(checked > 1000, `${checked} numbers took the fast path`);
});

test('duplicate keys: the last wins, on both paths, as with JSON.parse', () => {
  for (const body of ['{"k":1,"k":2}', '{"k":1e400,"k":2,"s":"12345678901234567890"}', '{"k":2,"k":1e400}']) {
    const value = parseJson(body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['k', ...(body.includes('"s"') ? ['s'] : [])]);
    assert.equal(stringifyJson(value.k), body.endsWith('1e400}') ? '1e400' : '2');
  }
});

test('__proto__ is an own data key on both paths and never replaces the prototype', () => {
  for (const body of ['{"__proto__":{"polluted":1}}', '{"__proto__":{"polluted":1e400}}']) {
    const value = parseJson(body) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal((value as { polluted?: unknown }).polluted, undefined);
    assert.equal(stringifyJson(value), body);
  }
});

test('invalid JSON throws JSON.parse\'s SyntaxError on both paths', () => {
  for (const text of ['{"a":1e400,}', '{"a":12345678901234567890', '{a:1}', '-', '1e', '01']) {
    assert.throws(() => parseJson(text), SyntaxError, text);
  }
});

test('parseJson never mutates or shares: each call builds new values', () => {
  const text = '{"a":[1e400]}';
  const one = parseJson(text) as { a: unknown[] };
  const two = parseJson(text) as { a: unknown[] };
  assert.notEqual(one.a, two.a);
});

test('JsonNumber is frozen, refuses non-numbers, and is not a JSON object', () => {
  const n = new JsonNumber('1e400');
  assert.ok(Object.isFrozen(n));
  assert.throws(() => new JsonNumber('1e400 '), TypeError);
  assert.throws(() => new JsonNumber('NaN'), TypeError);
  assert.equal(isJsonObject(n), false);
  assert.equal(String(n), '1e400');
  // Only through JSON.stringify by mistake: the float64 value, as before numbers were kept.
  assert.equal(JSON.stringify({ n: new JsonNumber('12345678901234567890') }), '{"n":12345678901234567000}');
});

test('jsonNumberOf keeps a plain number when float64 writes the same text', () => {
  assert.equal(jsonNumberOf('42'), 42);
  assert.equal(jsonNumberOf('0.1'), 0.1);
  assert.ok(jsonNumberOf('1.0') instanceof JsonNumber);
});

test('deepFreeze accepts a JsonNumber; a frozen value holding one is written with its text', () => {
  const value = deepFreeze({ a: [new JsonNumber('-0')], b: 'x' });
  assert.ok(isDeepFrozen(value));
  assert.equal(containsJsonNumber(value), true);
  assert.equal(stringifyJson(value), '{"a":[-0],"b":"x"}');
  assert.equal(stringifyJson(value), '{"a":[-0],"b":"x"}');
  assert.equal(containsJsonNumber(deepFreeze({ a: [1] })), false);
});

test('exactSafeInteger: the integer a text denotes exactly, else undefined', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1.0', 1], ['1e3', 1000], ['-0', 0], ['0.0', 0], ['150e-1', 15], ['1500e-2', 15], ['-2.50e1', -25],
    ['9007199254740991', 9007199254740991], ['9007199254740992', undefined], ['1.5', undefined],
    ['3.0000000000000000001', undefined], ['1e400', undefined], ['1e-400', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(exactSafeInteger(new JsonNumber(text)), expected, text);
  assert.ok(Object.is(exactSafeInteger(new JsonNumber('-0')), 0));
});

test('a JsonNumber coerced to a number is its exact safe integer or NaN, never rounded', () => {
  assert.equal(Number(new JsonNumber('1.0')), 1);
  assert.equal(Number(new JsonNumber('32e0')), 32);
  assert.ok(Number.isNaN(Number(new JsonNumber('32.0000000000000000001'))));
  assert.ok(Number.isNaN(Number(new JsonNumber('12345678901234567890'))));
  assert.ok(Number.isNaN(Number(new JsonNumber('1e400'))));
  assert.equal(`${new JsonNumber('1e400')}`, '1e400');
  assert.equal(String(new JsonNumber('-0')), '-0');
});

test('random documents round-trip byte for byte: strings with quotes, escapes and digits never confuse the number scan (seeded)', () => {
  let seed = 0x1234567;
  const rnd = (n: number) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const numbers = ['0', '-0', '1.0', '12345678901234567890', '1e400', '-2.5E-3', '0.1', '42', '9007199254740993', '0.0000001', '3.14159'];
  const pieces = ['"', '\\', '1e5', '-0', '12345678901234567890', '\u0000', 'a', ' ', '\n', '"1.0"', '\\"'];
  const str = () => JSON.stringify(Array.from({ length: rnd(5) }, () => pieces[rnd(pieces.length)]).join(''));
  const value = (depth: number): string => {
    const kind = depth > 3 ? rnd(3) : rnd(5);
    if (kind === 0) return numbers[rnd(numbers.length)];
    if (kind === 1) return str();
    if (kind === 2) return ['true', 'false', 'null'][rnd(3)];
    if (kind === 3) return '[' + Array.from({ length: rnd(4) }, () => value(depth + 1)).join(',') + ']';
    return '{' + Array.from({ length: rnd(4) }, (_, i) => `"k${i}${JSON.stringify(pieces[rnd(pieces.length)]).slice(1, -1)}":${value(depth + 1)}`).join(',') + '}';
  };
  for (let i = 0; i < 2000; i++) {
    const doc = `{"d":${value(0)}}`;
    assert.equal(stringifyJson(parseJson(doc)), doc, doc);
  }
});
