import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, parseFilter, type FilterSubject } from '../../src/audit/filter.js';
import { SealtrailError } from '../../src/errors/index.js';

/** Sample entries, named by letter in the tables below. */
const entries: Record<string, FilterSubject> = {
  A: { mount_point: 'secret/', mount_type: 'kv', namespace: '', operation: 'read', path: 'secret/data/app/db' },
  B: { mount_point: 'my-kv/', mount_type: 'kv-v2', namespace: 'admin/', operation: 'update', path: 'my-kv/data/my_secret' },
  C: { mount_point: 'auth/approle/', mount_type: 'approle', namespace: '', operation: 'update', path: 'auth/approle/login' },
  D: { mount_point: 'auth/oidc/', mount_type: 'oidc', namespace: '', operation: 'read', path: 'auth/oidc/oidc/auth_url' },
  // Vault's audit test message (enterprise/audit/filtering, "Filtering and test messages").
  E: { mount_point: '', mount_type: '', namespace: '', operation: 'update', path: 'sys/audit/test' },
};

function selected(expr: string): string {
  const ast = parseFilter(expr);
  return Object.keys(entries).filter((k) => evaluateFilter(ast, entries[k])).join('');
}

function table(title: string, rows: [string, string][]): void {
  for (const [expr, want] of rows) {
    test(`${title}: ${expr} selects [${want}]`, () => assert.equal(selected(expr), want));
  }
}

// Every filter in Vault's audit filtering docs (concepts/filtering/audit, enterprise/audit/filtering),
// with the shell quoting of `vault audit enable ... filter="..."` removed.
table("Vault's audit filtering docs", [
  ['mount_type == kv', 'A'],
  ['mount_type == "kv"', 'A'],
  ['mount_point == "auth/oidc"', ''], // mount points end in "/", in Vault as here: exact comparison
  ['mount_point == "auth/oidc/"', 'D'],
  ['mount_type == "kv-v2"', 'B'],
  ['namespace != "admin/"', 'ACDE'],
  ['operation == "read"', 'AD'],
  ['path == "auth/approle/login"', 'C'],
  ['namespace != ""', 'B'],
]);

// The grammar of Vault's filtering concepts page (concepts/filtering), over the audit fields.
table('bexpr grammar', [
  ['path=="auth/approle/login"', 'C'],
  ['path == " auth/approle/login "', ''],
  ['mount_type is empty', 'E'],
  ['mount_type is not empty', 'ABCD'],
  ['"approle" in path', 'C'],
  ['"approle" not in path', 'ABDE'],
  ['path contains "data"', 'AB'],
  ['path not contains "data"', 'CDE'],
  ['path matches "^auth/"', 'CD'],
  ['path not matches "^auth/"', 'ABE'],
  ['"/mount_type" == "kv"', 'A'],
  ['"/path" matches `^secret/data/\\w+/db$`', 'A'],
  ['path matches `\\.`', ''],
  ['path matches "^[a-z-]{2,6}/data/"', 'AB'],
  ['path matches "data/\\\\w+$"', 'B'],
  ['mount_type == `kv-v2`', 'B'],
  ['mount_type == kv and operation == read', 'A'],
  ['path == auth/approle/login', 'C'],
  ['approle in path', 'C'],
  ['mount_type == kv or mount_type == "kv-v2"', 'AB'],
  // "<E1> and not <E2> or <E3>" is "( <E1> and (not <E2> )) or <E3>"
  ['operation == read and not mount_type == kv or path == "sys/audit/test"', 'DE'],
  ['( operation == read and (not mount_type == kv )) or path == "sys/audit/test"', 'DE'],
  ['operation == read and (not mount_type == kv or path == "sys/audit/test")', 'D'],
  ['not not operation == read', 'AD'],
  ['(mount_type == kv)', 'A'],
  ['\n\tmount_type\n==\tkv\r\n', 'A'],
  ['operation != 0', 'ABCDE'],
  ['mount_type == "/kv"', 'A'], // a pointer-shaped value is bexpr's selector-as-value: "kv"
  ['mount_type == ""', 'E'],
  ['path == "auth\\x2fapprole\\u002flogin"', 'C'],
]);

// Kept from Sealtrail's earlier filter language, so stored filters still parse.
table('Sealtrail extensions', [
  ['operation in ["read", "list"]', 'AD'],
  ['operation not in ["read", "list"]', 'BCE'],
  ['operation in []', ''],
  ['"kv" == mount_type', 'A'],
]);

test('a filter runs in time linear in the entry: no catastrophic backtracking', () => {
  const ast = parseFilter('path matches ".*a.*a.*a.*x" or path matches "(a+)+$"');
  // 2,000 characters: within the entry's regex budget, so both patterns do run.
  const long: FilterSubject = { ...entries.A, path: 'a'.repeat(2_000) + '!' };
  const start = performance.now();
  assert.equal(evaluateFilter(ast, long), false);
  // A backtracking engine takes minutes on this input; the linear one well under a second.
  assert.ok(performance.now() - start < 2000, `took ${performance.now() - start} ms`);
});

const bad: [string, RegExp][] = [
  ['', /offset 0: empty expression/],
  ['   ', /offset 0: empty expression/],
  ['operation = "read"', /offset 10: unexpected "="/],
  ['mount_type == kv-v2', /offset 16: unexpected character "-"/],
  ['user == "x"', /offset 0: unknown field "user" \(fields: mount_point, mount_type, namespace, operation, path\)/],
  ['"/request/path" == "x"', /offset 0: unknown field "\/request\/path"/],
  ['operation == "read" and', /offset 23: expected a comparison, found end of expression/],
  ['(operation == "read"', /offset 20: expected "\)"/],
  ['operation == "read")', /offset 19: unexpected "\)"/],
  ['path matches "("', /offset 13: invalid regular expression/],
  ['path matches "(a)\\\\1"', /offset 13: regular expression cannot be matched in linear time/],
  ['path matches "a(?=b)"', /offset 13: regular expression cannot be matched in linear time/],
  ['path matches "a{20}"', /offset 13: regular expression cannot be matched in linear time/],
  ['path matches "(?i)secret"', /offset 13: regular expression flag "i" is not supported/],
  ['path matches "\\\\pL"', /offset 13: Unicode classes/],
  ['path matches "[[:alpha:]]"', /offset 13: POSIX character classes/],
  [`path matches "${'a'.repeat(257)}"`, /offset 13: regular expression longer than 256 characters/],
  ['path == "unterminated', /offset 8: unterminated string/],
  ['path == `unterminated', /offset 8: unterminated string/],
  ['path == "a\\"b"', /offset 10: a string cannot contain \\" \(use a `backtick` string\)/],
  ['path == "a\\qb"', /offset 10: invalid escape "\\q"/],
  ['path == "\\xff"', /offset 9: byte escapes above \\x7f/],
  ['operation in ["a" "b"]', /offset 18: expected "," or "\]"/],
  ['operation like "x"', /offset 10: expected an operator/],
  ['"x" contains path', /offset 0: expected a field name, found a string/],
  ['path == "a" # comment', /offset 12: unexpected character "#"/],
  ['path is full', /offset 8: expected "empty", found "full"/],
  ['not(path == "a")', /offset 3: expected whitespace after "not"/],
  ['(path == "a")and(path == "b")', /offset 13: expected whitespace before "and"/],
  ['path == 1x', /offset 8: invalid number/],
  ['path == ', /offset 8: expected a value, found end of expression/],
  ['('.repeat(40) + 'path == a' + ')'.repeat(40), /nested deeper than 32/],
  ['path == "' + 'a'.repeat(5000) + '"', /offset 4096: expression longer than 4096 characters/],
];

for (const [expr, re] of bad) {
  test(`filter refused: ${JSON.stringify(expr.length > 60 ? `${expr.slice(0, 60)}...` : expr)}`, () => {
    assert.throws(() => parseFilter(expr), (err: unknown) => {
      assert.ok(err instanceof SealtrailError);
      assert.equal(err.kind, 'invalid');
      assert.equal(err.code, 'invalid_audit_filter');
      assert.match(err.message, re);
      return true;
    });
  });
}

test("an entry whose fields are too long for the filter's regular expressions to read within their budget is recorded unfiltered", async () => {
  const { FILTER_REGEX_UNITS } = await import('../../src/audit/filter.js');
  const heavy = ('.*a'.repeat(84) + 'x').slice(0, 253);
  const at = (path: string): FilterSubject => ({ mount_point: 'secret/', mount_type: 'kv', namespace: '', operation: 'read', path });
  const leaveOut = parseFilter(`not path matches \`${heavy}\``);
  // Within the budget the filter is applied: a path the pattern matches is left out.
  const matching = `${'a'.repeat(100)}x`;
  assert.equal(evaluateFilter(leaveOut, at(matching)), false);
  assert.equal(evaluateFilter(leaveOut, at('b')), true);
  // A path the caller made long (unauthenticated: 16,000 characters) is not read by the pattern: recorded.
  const long = `${'a'.repeat(16_000)}x`;
  assert.ok(heavy.length * long.length > FILTER_REGEX_UNITS);
  assert.equal(evaluateFilter(leaveOut, at(long)), true);
  // The budget is the entry's: many patterns over one path share it.
  const many = parseFilter(Array.from({ length: 14 }, () => `not path matches \`${heavy}\``).join(' and '));
  const medium = `${'b'.repeat(200)}`;
  assert.ok(heavy.length * medium.length * 14 > FILTER_REGEX_UNITS && heavy.length * medium.length < FILTER_REGEX_UNITS);
  assert.equal(evaluateFilter(many, at(medium)), true);
  // And the next entry starts with a whole budget.
  assert.equal(evaluateFilter(leaveOut, at(matching)), false);
  // A request's budget is shared by every device's filter and both its entries.
  const { filterBudget } = await import('../../src/audit/filter.js');
  const request = filterBudget();
  assert.equal(evaluateFilter(leaveOut, at(matching), request), false, 'request entry, first device');
  assert.equal(evaluateFilter(leaveOut, at(matching), request), false, 'request entry, second device');
  assert.equal(evaluateFilter(leaveOut, at(matching), request), true, 'response entry: the budget is spent, recorded unfiltered');
});
