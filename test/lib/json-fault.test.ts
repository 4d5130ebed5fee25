import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonSyntaxFault } from '../../src/lib/json-fault.js';

test('a fault is named by its position only', () => {
  const cases: Array<[string, string]> = [
    ['{"data":{"password": hunter2hunter2}}', 'invalid character at position 21'],
    ['{"user":"bob","password":hunter2}', 'invalid character at position 25'],
    ['{"a":1,}', 'invalid character at position 7'],
    ['{"a":1}x', 'invalid character at position 7'],
    ['{"a" 1}', 'invalid character at position 5'],
    ['[1 2]', 'invalid character at position 3'],
    ['01', 'invalid character at position 1'],
    ['-', 'unexpected end of JSON input'],
    ['1.', 'unexpected end of JSON input'],
    ['1.e5', 'invalid character at position 2'],
    ['1e+', 'unexpected end of JSON input'],
    ['tru', 'unexpected end of JSON input'],
    ['nul!', 'invalid character at position 3'],
    ['"a\\x"', 'invalid character at position 3'],
    ['"\\u12G4"', 'invalid character at position 5'],
    ['"tab\there"', 'invalid character at position 4'],
    ['{"data": {"v": "s3cret"', 'unexpected end of JSON input'],
    ['', 'unexpected end of JSON input'],
    ['\ufeff{}', 'invalid character at position 0'],
    ['{"a":[1,{"b":null}]}', 'invalid JSON'],
  ];
  for (const [text, fault] of cases) assert.equal(jsonSyntaxFault(text), fault, JSON.stringify(text));
});

test('the position is where JSON.parse stops, wherever V8 names it, on random damaged texts', () => {
  // A deterministic generator (xorshift), so a failure names a reproducible case.
  let x = 0x51ed7a11;
  const next = (n: number) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
  const pieces = ['{', '}', '[', ']', ',', ':', '"k"', '"v\\n"', '1', '-0.5e3', 'true', 'null', ' ', 'x', '"', '\\', '0', '.', 'e'];
  let compared = 0;
  for (let round = 0; round < 5000; round++) {
    let text = '';
    for (let n = 1 + next(12); n > 0; n--) text += pieces[next(pieces.length)];
    let v8: string | undefined;
    try {
      JSON.parse(text);
    } catch (err) {
      v8 = (err as Error).message;
    }
    const fault = jsonSyntaxFault(text);
    if (v8 === undefined) {
      assert.equal(fault, 'invalid JSON', text);
      continue;
    }
    assert.notEqual(fault, 'invalid JSON', `${JSON.stringify(text)}: ${v8}`);
    const at = /at position (\d+)/.exec(v8)?.[1];
    if (at !== undefined) {
      const expected = Number(at) === text.length ? 'unexpected end of JSON input' : `invalid character at position ${at}`;
      assert.equal(fault, expected, `${JSON.stringify(text)}: ${v8}`);
      compared++;
    } else if (/end of JSON input/.test(v8)) {
      assert.equal(fault, 'unexpected end of JSON input', `${JSON.stringify(text)}: ${v8}`);
      compared++;
    }
  }
  assert.ok(compared > 500, `${compared} positions compared`);
});
