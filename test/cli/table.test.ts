/** Table rendering, golden against the vault CLI's output shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnize, goQuotedList, goTime, goValue, headerForMap, humanDuration, keyValueTable, padEqualSigns } from '../../src/cli/table.js';
import { mapTable, secretTable } from '../../src/cli/output.js';
import type { VaultResponse } from '../../src/sdk/index.js';

test('key/value table: 4-space glue, unpadded last column, n/a for empty cells', () => {
  assert.equal(
    keyValueTable([['created_time', '2018-03-22T19:09:01Z'], ['deletion_time', ''], ['version', '1']]),
    ['Key              Value', '---              -----', 'created_time     2018-03-22T19:09:01Z', 'deletion_time    n/a', 'version          1'].join('\n'),
  );
});

test('columnize trims cells', () => {
  assert.equal(columnize([[' a ', 'b '], ['ccc', ' d']]), 'a      b\nccc    d');
});

const durations: Array<[number, string]> = [[0, '0s'], [59, '59s'], [60, '1m'], [90, '1m30s'], [3600, '1h'], [3605, '1h5s'], [3661, '1h1m1s'], [2764800, '768h'], [-60, '-1m']];
for (const [seconds, text] of durations) test(`humanDuration(${seconds}) = ${text}`, () => assert.equal(humanDuration(seconds), text));

test('Go %v and %q renderings', () => {
  assert.equal(goValue(null), '<nil>');
  assert.equal(goValue(['a', 1, true]), '[a 1 true]');
  assert.equal(goValue({ b: 2, a: { z: null } }), 'map[a:map[z:<nil>] b:2]');
  assert.equal(goQuotedList(['default', 'root']), '["default" "root"]');
  assert.equal(goQuotedList(null), '[]');
});

test('goTime: Go\'s time.Time String of the API\'s RFC 3339 times (a wrapping token\'s creation time)', () => {
  assert.equal(goTime('2024-11-14T23:46:27.382000Z'), '2024-11-14 23:46:27.382 +0000 UTC');
  assert.equal(goTime('2024-11-14T23:46:27.123456789Z'), '2024-11-14 23:46:27.123456789 +0000 UTC');
  assert.equal(goTime('2024-11-14T23:46:27Z'), '2024-11-14 23:46:27 +0000 UTC');
  assert.equal(goTime('2024-11-14T23:46:27.5-07:00'), '2024-11-14 23:46:27.5 -0700 -0700');
  assert.equal(goTime('yesterday'), 'yesterday');
});

test('section headers match vault (kv get of a one-key secret)', () => {
  assert.equal(padEqualSigns('Secret Path', 'secret/data/creds'.length), '== Secret Path ==');
  assert.equal(padEqualSigns('Secret Path', 'secret/data/foo'.length), '= Secret Path =');
  assert.equal(padEqualSigns('Secret Path', 3), '== Secret Path ==');
  const metadata = { created_time: 'x', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 };
  assert.equal(headerForMap('Metadata', metadata), '======= Metadata =======');
  assert.equal(headerForMap('Data', { foo: 'bar' }), '=== Data ===');
});

test('map table sorts keys and humanizes duration-like keys', () => {
  assert.equal(mapTable({ ttl: 3600, name: 'n', creation_ttl: 0, period: '1h', list: ['a'] }),
    ['Key             Value', '---             -----', 'creation_ttl    0s', 'list            [a]', 'name            n', 'period          1h', 'ttl             1h'].join('\n'));
  assert.equal(mapTable({}), '');
});

const auth = {
  client_token: 'hvs.SECRET', accessor: 'acc-1', policies: ['default', 'app'], token_policies: ['default', 'app'], identity_policies: null,
  metadata: { team: 'x' }, lease_duration: 2764800, renewable: true, entity_id: '', token_type: 'service', orphan: false,
};
const envelope = (over: Partial<VaultResponse<unknown>>): VaultResponse<unknown> => ({
  request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null, auth: null, ...over,
});

test('secret table with an auth block; the token row only when asked', () => {
  const rows = [
    'token_accessor       acc-1', 'token_duration       768h', 'token_renewable      true', 'token_policies       ["default" "app"]',
    'identity_policies    []', 'policies             ["default" "app"]', 'token_meta_team      x',
  ];
  assert.equal(secretTable(envelope({ auth })), ['Key                  Value', '---                  -----', ...rows].join('\n'));
  assert.equal(secretTable(envelope({ auth }), { showToken: true }),
    ['Key                  Value', '---                  -----', 'token                hvs.SECRET', ...rows].join('\n'));
  assert.ok(!secretTable(envelope({ auth })).includes('hvs.SECRET'));
});

test('secret table: root token duration ∞, refresh_interval for a lease without id, data rows', () => {
  assert.equal(secretTable(envelope({ lease_duration: 60, data: { b: 'x', a: 1 } })),
    ['Key                 Value', '---                 -----', 'refresh_interval    1m', 'a                   1', 'b                   x'].join('\n'));
  assert.ok(secretTable(envelope({ auth: { ...auth, lease_duration: 0, metadata: null } })).includes('token_duration       ∞'));
  assert.equal(secretTable(envelope({})), '');
});

test('columnize escapes control characters, separators and bidi overrides in cells (alignment counts the escapes)', () => {
  assert.equal(columnize([['a\x1b[2Jb', 'x'], ['c', 'line\r\nfake\u2028\u202e']]), 'a\\x1b[2Jb    x\nc            line\\x0d\\x0afake\\u2028\\u202e');
});
