import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonObject } from '../../src/server/body.js';
import { isSealtrailError } from '../../src/errors/index.js';
import { JsonNumber } from '../../src/lib/json-number.js';

const refusal = (raw: string) => {
  try {
    parseJsonObject(raw);
  } catch (err) {
    assert.ok(isSealtrailError(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('accepted');
};

test('a body keeps numbers float64 would change, and plain numbers stay numbers', () => {
  const data = parseJsonObject(Buffer.from('{"a":12345678901234567890,"b":1.5,"c":[-0]}'));
  assert.deepEqual(data, { a: new JsonNumber('12345678901234567890'), b: 1.5, c: [new JsonNumber('-0')] });
});

test('duplicate keys (the last wins) and __proto__ (own data) are handled as JSON.parse does', () => {
  const data = parseJsonObject('{"__proto__":{"x":1e400},"k":1,"k":1e400}');
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.ok(Object.hasOwn(data, '__proto__'));
  assert.deepEqual(Object.keys(data), ['__proto__', 'k']);
  assert.deepEqual(data.k, new JsonNumber('1e400'));
});

test('invalid JSON and non-object bodies are malformed_json refusals that echo nothing', () => {
  for (const raw of ['{"n":12345678901234567890,}', '{"n":"secret-value-77"', '1e400', '[1e400]', '12345678901234567890']) {
    const r = refusal(raw);
    assert.equal(r.code, 'malformed_json');
    assert.match(r.message, /^failed to parse JSON input: /);
    assert.ok(!r.message.includes('12345678901234567890') && !r.message.includes('secret-value-77'), r.message);
  }
});

test('a malformed body is refused by the position of its fault, quoting none of it', () => {
  // Secrets put into JSON without quotes: V8's message quoted them.
  const cases: Array<[string, string]> = [
    ['{"data":{"password": hunter2hunter2}}', 'invalid character at position 21'],
    ['{"user":"bob","password":hunter2}', 'invalid character at position 25'],
    ['{"data":{"api_key":"AKIA1234", "secret": sk_live_abcdef}}', 'invalid character at position 41'],
  ];
  for (const [raw, fault] of cases) {
    assert.deepEqual(refusal(raw), { code: 'malformed_json', message: `failed to parse JSON input: ${fault}` });
  }
});
