import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoBool } from '../../src/lib/go-bool.js';
import { boolField } from '../../src/auth/token/fields.js';

test('booleans read as Go\'s strconv.ParseBool reads them, as Vault reads ?list=, ?standbyok= and string fields', () => {
  for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true, t);
  for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false, f);
  for (const other of ['yes', 'tRUE', ' true', '', '2', undefined, true, 1]) assert.equal(parseGoBool(other), undefined, String(other));
  // A body field sent as Python's `True` (hvac) is the same boolean.
  assert.equal(boolField({ no_parent: 'True' }, 'no_parent'), true);
  assert.equal(boolField({ renewable: 'F' }, 'renewable'), false);
  assert.throws(() => boolField({ renewable: 'yes' }, 'renewable'), /"renewable" must be a boolean/);
});
