import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEntryHasher, createSalt, hashData } from '../../src/audit/hash.js';
import { deepFreeze as freezeForGood } from '../../src/lib/immutable.js';
import { JsonNumber } from '../../src/lib/json-number.js';
import { deepFreeze, H, snapshot } from './helpers.js';

test('golden HMAC vectors (salt "foo")', () => {
  const salt = createSalt('foo');
  assert.equal(salt.hash('foo'), 'hmac-sha256:08ba357e274f528065766c770a639abf6809b39ccfd37c2a3157c7f51954da0a');
  assert.equal(salt.hash('bar'), 'hmac-sha256:f9320baf0249169e73850cd6156ded0106e2bb6ad8cab01b7bbbebe6d1065317');
  assert.equal(salt.hash(''), H.empty);
});

test('different salts give different hashes', () => {
  assert.notEqual(createSalt('foo').hash('foo'), createSalt('foo2').hash('foo'));
});

const salt = createSalt('foo');
const cases: { name: string; data: Record<string, unknown>; exempt: string[]; want: Record<string, unknown> }[] = [
  { name: 'string leaf', data: { a: 'foo' }, exempt: [], want: { a: H.foo } },
  { name: 'exempt key stays plain', data: { a: 'foo', b: 'bar' }, exempt: ['a'], want: { a: 'foo', b: H.bar } },
  { name: 'list under exempt key stays plain', data: { a: ['foo', 'bar'] }, exempt: ['a'], want: { a: ['foo', 'bar'] } },
  { name: 'list under plain key is hashed', data: { a: ['foo', 1, true, null] }, exempt: [], want: { a: [H.foo, 1, true, null] } },
  {
    name: 'nested map judged by its own keys',
    data: { a: { b: 'foo', c: 'bar' } }, exempt: ['a', 'c'], want: { a: { b: H.foo, c: 'bar' } },
  },
  { name: 'maps inside lists keep their keys', data: { l: [{ k: 'foo' }] }, exempt: ['k'], want: { l: [{ k: 'foo' }] } },
  { name: 'non-strings untouched', data: { n: 1.5, t: false, z: null }, exempt: [], want: { n: 1.5, t: false, z: null } },
  { name: 'binary is base64 then hashed', data: { b: Buffer.from('hi') }, exempt: [], want: { b: H.hiBase64 } },
  { name: 'exempt binary is base64 only', data: { b: new Uint8Array([104, 105]) }, exempt: ['b'], want: { b: 'aGk=' } },
  { name: 'keys are never hashed', data: { foo: 'bar' }, exempt: [], want: { foo: H.bar } },
  {
    name: 'kept numbers (literal text) are numbers: never hashed, never walked',
    data: { n: new JsonNumber('1e400'), l: [new JsonNumber('-0'), 'foo', { m: new JsonNumber('12345678901234567890') }] },
    exempt: [],
    want: { n: new JsonNumber('1e400'), l: [new JsonNumber('-0'), H.foo, { m: new JsonNumber('12345678901234567890') }] },
  },
];

for (const c of cases) {
  test(`hash walker: ${c.name}`, () => {
    const input = deepFreeze(c.data);
    const before = snapshot(input);
    const out = hashData(input, c.exempt, salt);
    assert.deepEqual(out, c.want);
    assert.equal(snapshot(input), before);
    assert.notEqual(out, input);
  });
}

test('hash walker: a deeply frozen map is hashed once per salt and exemption list, then shared', () => {
  const memo = new WeakMap();
  const record = freezeForGood({ password: 'foo', nested: { user: 'bar', tags: ['foo'] } });
  const exempt = ['user'];
  const first = hashData({ data: record }, exempt, salt, memo);
  const second = hashData({ data: record }, exempt, salt, memo);
  assert.deepEqual(first, { data: { password: H.foo, nested: { user: 'bar', tags: [H.foo] } } });
  assert.equal(second.data, first.data, 'the frozen copy is reused');
  assert.ok(Object.isFrozen(first.data));
  // Another exemption list is another copy, with its own verdicts.
  const other = hashData({ data: record }, [], salt, memo);
  assert.notEqual(other.data, first.data);
  assert.deepEqual(other.data, { password: H.foo, nested: { user: H.bar, tags: [H.foo] } });
  // Without a memo, or for a map that can still change, nothing is shared.
  assert.notEqual(hashData({ data: record }, exempt, salt).data, first.data);
  const mutable = { password: 'foo' };
  const a = hashData({ data: mutable }, exempt, salt, memo);
  mutable.password = 'bar';
  assert.deepEqual(hashData({ data: mutable }, exempt, salt, memo), { data: { password: H.bar } });
  assert.deepEqual(a, { data: { password: H.foo } });
});

test('hash walker: __proto__, constructor and prototype keys are copied and hashed like any key', () => {
  const data = JSON.parse('{"__proto__":{"x":"foo"},"constructor":"foo","prototype":["foo"]}') as Record<string, unknown>;
  for (const source of [data, freezeForGood(JSON.parse(JSON.stringify(data)) as Record<string, unknown>)]) {
    const out = hashData(source, ['constructor'], salt);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(JSON.stringify(out), `{"__proto__":{"x":"${H.foo}"},"constructor":"foo","prototype":["${H.foo}"]}`);
  }
  const headers = createEntryHasher(salt, { hmacAccessor: true, raw: false }).headers(JSON.parse('{"__proto__":["foo"]}'), new Set(['__proto__']));
  assert.equal(JSON.stringify(headers), `{"__proto__":["${H.foo}"]}`);
});

test('hash walker: a kept number in a frozen map is shared as it is by the memoized copy', () => {
  const n = new JsonNumber('9223372036854775809');
  const data = freezeForGood({ a: n, s: 'foo' });
  const hasher = createEntryHasher(salt, { hmacAccessor: true, raw: false });
  const exempt: string[] = [];
  const out = hasher.data(data, exempt);
  assert.equal(out.a, n);
  assert.equal(out.s, H.foo);
  assert.equal(hasher.data(data, exempt), out);
});

test('hash walker: a time value is its RFC 3339 text, never hashed, as Vault\'s walker makes a time.Time a string and skips it', () => {
  const at = new Date(Date.UTC(2026, 11, 8, 0, 36, 28, 292));
  const text = '2026-12-08T00:36:28.292Z';
  assert.deepEqual(hashData({ t: at, l: [at, 'foo'] }, [], salt), { t: text, l: [text, H.foo] });
});
