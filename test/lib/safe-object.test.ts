import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getOwn, setOwn } from '../../src/lib/safe-object.js';
import { mergePatch } from '../../src/secrets/kv/merge-patch.js';

test('setOwn stores __proto__ as data; getOwn never reads an inherited member', () => {
  const out: Record<string, unknown> = {};
  setOwn(out, '__proto__', { polluted: true });
  setOwn(out, 'constructor', 'c');
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":true},"constructor":"c"}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(getOwn({}, 'constructor'), undefined);
  assert.equal(getOwn({}, 'toString'), undefined);
  assert.equal(getOwn(out, '__proto__') !== Object.prototype, true);
});

test('merge patch: special keys merge, replace and delete like any key', () => {
  const target = JSON.parse('{"__proto__":{"a":"1"},"constructor":"c","keep":"k"}');
  const patch = JSON.parse('{"__proto__":{"b":"2"},"constructor":null,"prototype":"p"}');
  const out = mergePatch(target, patch) as Record<string, unknown>;
  assert.equal(JSON.stringify(out), '{"__proto__":{"a":"1","b":"2"},"keep":"k","prototype":"p"}');
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(JSON.stringify(mergePatch({}, JSON.parse('{"toString":{"x":"y"}}'))), '{"toString":{"x":"y"}}');
});
