import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, parseFilter, type FilterSubject } from '../../src/audit/filter.js';
import { SealtrailError } from '../../src/errors/index.js';

const kvRead: FilterSubject = { mount_point: 'secret/', mount_type: 'kv', namespace: '', operation: 'read', path: 'secret/data/app/db' };

const cases: [string, boolean][] = [
  ['mount_point == "secret/"', true],
  ['mount_point != "secret/"', false],
  ['"secret/" == mount_point', true],
  ['mount_type == "kv" and operation == "read"', true],
  ['mount_type == "kv" and operation == "list"', false],
  ['operation == "list" or path matches "^secret/data/"', true],
  ['path matches "db$"', true],
  ['path not matches "db$"', false],
  ['"app" in path', true],
  ['"nope" in path', false],
  ['"nope" not in path', true],
  ['path contains "data/app"', true],
  ['path not contains "data/app"', false],
  ['operation in ["read", "list"]', true],
  ['operation not in ["read", "list"]', false],
  ['operation in []', false],
  ['not operation == "read"', false],
  ['not (operation == "read" or operation == "list")', false],
  ['not operation == "list" and mount_type == "kv"', true],
  ['operation == "list" or operation == "read" and mount_type == "x"', false],
  ['(operation == "list" or operation == "read") and mount_type == "kv"', true],
  ['namespace == ""', true],
  ['path == "secret/data/app/db" and path matches "^a\\\\w+"', false],
  ['path matches "p/\\\\w+"', true],
];

for (const [expr, want] of cases) {
  test(`filter ${expr} → ${want}`, () => {
    assert.equal(evaluateFilter(parseFilter(expr), kvRead), want);
  });
}

const bad: [string, RegExp][] = [
  ['', /offset 0: empty expression/],
  ['operation = "read"', /offset 10: unexpected "="/],
  ['operation == read', /offset 13: expected a quoted string/],
  ['user == "x"', /offset 0: unknown field "user"/],
  ['operation == "read" and', /offset 23: expected a comparison, found end of expression/],
  ['(operation == "read"', /offset 20: expected "\)"/],
  ['operation == "read")', /offset 19: unexpected "\)"/],
  ['path matches "("', /offset 13: invalid regular expression/],
  ['path == "unterminated', /offset 8: unterminated string/],
  ['operation in ["a" "b"]', /offset 18: expected "," or "\]"/],
  ['operation like "x"', /offset 10: expected an operator/],
  ['"x" contains path', /expected "in"/],
  ['path == "a" # comment', /offset 12: unexpected character "#"/],
];

for (const [expr, re] of bad) {
  test(`filter refused: ${JSON.stringify(expr)}`, () => {
    assert.throws(() => parseFilter(expr), (err: unknown) => {
      assert.ok(err instanceof SealtrailError);
      assert.equal(err.kind, 'invalid');
      assert.equal(err.code, 'invalid_audit_filter');
      assert.match(err.message, re);
      return true;
    });
  });
}
