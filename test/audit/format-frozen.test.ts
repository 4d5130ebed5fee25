import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeValue } from '../../src/audit/format-json.js';
import { deepFreeze } from '../../src/lib/immutable.js';

test('a deeply frozen map is written exactly as the same map unfrozen, every time', () => {
  const plain = () => ({ z: 'a<b>&c', a: [1, -0, 'x\n', null], m: { y: true, b: 'é\u2028' } });
  const frozen = deepFreeze(plain());
  const expected = writeValue(plain());
  assert.equal(expected, '{"a":[1,-0,"x\\n",null],"m":{"b":"é\\u2028","y":true},"z":"a\\u003cb\\u003e\\u0026c"}');
  assert.equal(writeValue(frozen), expected);
  assert.equal(writeValue(frozen), expected);
  assert.equal(writeValue({ outer: frozen }), `{"outer":${expected}}`);
});
