import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditDevice } from '../../src/audit/device.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import { formatNumber, quoteGo, writeValue } from '../../src/audit/format-json.js';
import { deepFreeze as deepFreezeJson } from '../../src/lib/immutable.js';
import { JsonNumber } from '../../src/lib/json-number.js';
import { deepFreeze, H, kvResponseInput, kvWriteInput, memorySink, snapshot, token } from './helpers.js';

const headers = { values: { 'x-request-source': ['ci'], 'x-secret-header': ['foo'] }, hmac: new Set(['x-secret-header']) };

function device(options: Record<string, string> = {}) {
  const sink = memorySink();
  const d = createAuditDevice(
    { path: 'mem/', type: 'memory', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: true }),
    sink,
  );
  return { d, sink };
}

const AUTH =
  `{"client_token":"${H.foo}","accessor":"${H.bar}","display_name":"userpass-alice","policies":["default","kv-read"],` +
  `"token_policies":["default","kv-read"],` +
  `"policy_results":{"allowed":true,"granting_policies":[{"name":"kv-read","namespace_id":"root","type":"acl"}]},` +
  `"metadata":{"department":"eng","username":"alice"},` +
  `"entity_id":"e7f0a1b2-0000-4000-8000-000000000001","token_type":"service","token_ttl":3600,` +
  `"token_issue_time":"2024-11-14T22:46:27Z"}`;
const REQUEST =
  `{"id":"5a2c1f9e-0d6b-4c1e-9f3a-7b8c9d0e1f2a","client_id":"e7f0a1b2-0000-4000-8000-000000000001",` +
  `"operation":"update","mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d",` +
  `"mount_running_version":"v0.1.0+builtin.sealtrail","mount_class":"secret","client_token":"${H.foo}","client_token_accessor":"${H.bar}",` +
  `"namespace":{"id":"root"},"path":"secret/data/app","data":{"data":{"blob":"${H.hiBase64}","count":3,` +
  `"empty":null,"enabled":true,"note":"a\\u003cb\\u003e\\u0026c","password":"${H.s3cr3t}",` +
  `"profile":{"pin":"${H.hunter2}","username":"foo"},"ratio":0.5,"tags":["x","bar"],"username":"alice"},` +
  `"options":{"cas":0}},"remote_address":"127.0.0.1","remote_port":51234,` +
  `"headers":{"x-request-source":["ci"],"x-secret-header":["${H.foo}"]}}`;

test('golden request line', async () => {
  const { d, sink } = device();
  const input = deepFreeze(kvWriteInput());
  const before = snapshot(input);
  await d.process(input, 'request', headers);
  assert.equal(sink.lines[0], `{"time":"2024-11-14T23:46:27.123456789Z","type":"request","auth":${AUTH},"request":${REQUEST}}\n`);
  assert.equal(snapshot(input), before);
});

test('golden response line', async () => {
  const { d, sink } = device();
  const input = deepFreeze(kvResponseInput());
  await d.process(input, 'response', headers);
  const response =
    `{"mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d",` +
    `"mount_running_plugin_version":"v0.1.0+builtin.sealtrail","mount_class":"secret","data":{"data":{"password":"${H.s3cr3t}",` +
    `"username":"${H.alice}"},"metadata":{"created_time":"2024-11-14T23:46:27.1Z","deletion_time":"${H.empty}",` +
    `"destroyed":false,"version":2}},"warnings":["w\\u003c1\\u003e"]}`;
  assert.equal(
    sink.lines[0],
    `{"time":"2024-11-14T23:46:27.123456789Z","type":"response","auth":${AUTH},"request":${REQUEST},"response":${response}}\n`,
  );
});

test('request with no token: auth is token_type default, empty fields omitted, error kept', async () => {
  const { d, sink } = device({ prefix: '@cee: ' });
  await d.process(deepFreeze({
    request: { id: 'r1', operation: 'read', path: 'sys/nope', data: {}, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 },
    operation: 'read', error: 'permission denied', timeNs: 1731627987000000000n,
  }), 'request');
  assert.equal(sink.lines[0], '@cee: {"time":"2024-11-14T23:46:27Z","type":"request","auth":{"token_type":"default"},' +
    '"request":{"id":"r1","operation":"read","namespace":{"id":"root"},"path":"sys/nope"},"error":"permission denied"}\n');
});

test('login response: new token as top-level auth and response.auth, secret and wrap_info', async () => {
  const { d, sink } = device({ hmac_accessor: 'false' });
  const issued = {
    policies: ['default'], displayName: 'userpass-alice', metadata: { username: 'alice' }, entityId: 'ent', ttl: 0,
    clientToken: 'foo', accessor: 'acc', tokenPolicies: ['default'], identityPolicies: [], tokenType: 'service' as const,
    orphan: true, leaseDuration: 2764800, numUses: 0, entityCreated: true,
  };
  await d.process(deepFreeze({
    request: { id: 'r2', operation: 'update', path: 'auth/userpass/login/alice', data: { password: 'foo' }, clientToken: '', remoteAddress: '10.0.0.1', remotePort: 0, headers: {}, wrapTtl: 60 },
    operation: 'update', timeNs: 1731627987000000000n, issuedAuth: issued,
    mount: { table: 'auth', path: 'userpass/', type: 'userpass', accessor: 'auth_userpass_1', config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] } },
    response: { issuedAuth: issued, secret: { leaseId: 'lease/1', ttl: 0, renewable: false }, wrapInfo: { token: 'bar', accessor: 'wacc', ttl: 60, creationTime: '2024-11-14T23:46:27Z', creationPath: 'auth/userpass/login/alice' } },
  }), 'response');
  const auth = `"client_token":"${H.foo}","accessor":"acc","display_name":"userpass-alice","policies":["default"],"token_policies":["default"],"metadata":{"username":"alice"}`;
  assert.equal(sink.lines[0],
    `{"time":"2024-11-14T23:46:27Z","type":"response","auth":{${auth},"entity_id":"ent","entity_created":true,"token_type":"service","token_ttl":2764800,"token_issue_time":"2024-11-14T23:46:27Z"},` +
    `"request":{"id":"r2","operation":"update","mount_point":"auth/userpass/","mount_type":"userpass","mount_accessor":"auth_userpass_1",` +
    `"mount_running_version":"v0.1.0+builtin.sealtrail","mount_class":"auth","namespace":{"id":"root"},"path":"auth/userpass/login/alice","data":{"password":"${H.foo}"},"remote_address":"10.0.0.1","wrap_ttl":60},` +
    `"response":{"auth":{${auth},"entity_id":"ent","token_type":"service","token_ttl":2764800,"token_issue_time":"2024-11-14T23:46:27Z"},"mount_point":"auth/userpass/","mount_type":"userpass","mount_accessor":"auth_userpass_1",` +
    `"mount_running_plugin_version":"v0.1.0+builtin.sealtrail","mount_class":"auth",` +
    `"secret":{"lease_id":"lease/1"},"wrap_info":{"ttl":60,"token":"${H.bar}","accessor":"wacc","creation_time":"2024-11-14T23:46:27Z","creation_path":"auth/userpass/login/alice"}}}\n`);
});

test('Go string escaping', () => {
  const cases: [string, string][] = [
    ['plain', '"plain"'],
    ['<>&', '"\\u003c\\u003e\\u0026"'],
    ['a&b', '"a\\u0026b"'],
    ['q"b\\', '"q\\"b\\\\"'],
    ['\n\r\t\b\f', '"\\n\\r\\t\\b\\f"'],
    ['\u0001\u001f', '"\\u0001\\u001f"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['é😀', '"é😀"'],
    ['a\ud800b', '"a\\ufffdb"'],
    ['\udc00', '"\\ufffd"'],
  ];
  for (const [input, want] of cases) assert.equal(quoteGo(input), want, JSON.stringify(input));
});

/** Go's encoding/json string rules, one code unit at a time (the reference for quoteGo). */
function goQuoteReference(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };
    if (short[c]) out += short[c];
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) out += s[i] + s[++i];
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += s[i];
  }
  return out + '"';
}

test('Go string escaping agrees with the reference on random text', () => {
  const alphabet = ['a', 'Z', '0', ' ', '~', '\x7f', '"', '\\', '<', '>', '&', '\'', '=', '?', '[', ']', '\n', '\u0000', '\u001f',
    'é', '\u00ff', '\u2027', '\u2028', '\u2029', '\u202a', '\ud800', '\udbff', '\udc00', '\udfff', '😀', '\ufffd', '\uffff'];
  let seed = 0x9e3779b9;
  const next = () => { // xorshift32
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  for (let n = 0; n < 3000; n++) {
    let s = '';
    for (let len = next() % 12; len > 0; len--) s += alphabet[next() % alphabet.length];
    assert.equal(quoteGo(s), goQuoteReference(s), JSON.stringify(s));
  }
  // Long strings take the native path (256 code units and more), with and without lone surrogates.
  const wellFormed = alphabet.filter((c) => c.length === 2 || c.charCodeAt(0) < 0xd800 || c.charCodeAt(0) > 0xdfff);
  for (let n = 0; n < 300; n++) {
    const from = n % 3 === 0 ? alphabet : wellFormed;
    let s = '';
    for (let len = 200 + (next() % 400); len > 0; len--) s += from[next() % from.length];
    assert.equal(quoteGo(s), goQuoteReference(s), JSON.stringify(s.slice(0, 60)));
  }
  assert.equal(quoteGo('<'.repeat(100_000)), `"${'\\u003c'.repeat(100_000)}"`);
});

test('map keys sorted by UTF-8 byte order, numbers as Go writes float64', () => {
  assert.equal(writeValue({ b: 1, a: 2, B: 3, '10': 4, '9': 5, '\uffff': 6, '😀': 7 }), '{"10":4,"9":5,"B":3,"a":2,"b":1,"\uffff":6,"😀":7}');
  assert.equal(writeValue({ z: undefined, y: [undefined, 1] }), '{"y":[null,1]}');
  const nums: [number, string][] = [[1e21, '1e+21'], [1e20, '100000000000000000000'], [1e-7, '1e-7'], [0.000001, '0.000001'], [-0, '-0'], [NaN, 'null'], [123.456, '123.456']];
  for (const [n, want] of nums) assert.equal(formatNumber(n), want);
});

test('a kept number is written with its literal text, in maps, lists and frozen values', () => {
  const texts = ['9223372036854775809', '1e400', '-0', '123456789012345678901234567890.123456789012345678901234567890', '1.0'];
  const value = { z: texts.map((t) => new JsonNumber(t)), a: { n: new JsonNumber(texts[1]) } };
  const want = `{"a":{"n":1e400},"z":[${texts.join(',')}]}`;
  assert.equal(writeValue(value), want);
  const frozen = deepFreezeJson(value);
  assert.equal(writeValue(frozen), want);
  assert.equal(writeValue(frozen), want);
});

test('two devices, one log_raw: the raw one never leaks into the other, input unchanged', async () => {
  const hashed = device();
  const raw = device({ log_raw: 'true' });
  const input = deepFreeze(kvWriteInput());
  const before = snapshot(input);
  await Promise.all([hashed.d.process(input, 'request'), raw.d.process(input, 'request')]);
  assert.ok(raw.sink.lines[0].includes('"password":"s3cr3t"'));
  assert.ok(raw.sink.lines[0].includes('"client_token":"foo"'));
  assert.ok(raw.sink.lines[0].includes('"blob":"aGk="'));
  assert.ok(!hashed.sink.lines[0].includes('s3cr3t'));
  assert.ok(!hashed.sink.lines[0].includes('"client_token":"foo"'));
  assert.ok(!hashed.sink.lines[0].includes('aGk='));
  assert.ok(hashed.sink.lines[0].includes(H.s3cr3t));
  assert.equal(snapshot(input), before);
  assert.equal(token.accessor, 'bar');
});

test('a cached token\'s auth block is written once per device, but never when it counts down uses', async () => {
  const { d, sink } = device();
  const authOf = (line: string) => JSON.parse(line).auth;
  const frozenToken = deepFreezeJson({ ...token, policies: [...token.policies] });
  for (const remainingUses of [undefined, undefined, 3, 2]) {
    await d.process({ ...kvWriteInput(), token: frozenToken, remainingUses }, 'request');
  }
  const other = deepFreezeJson({ ...frozenToken, displayName: 'userpass-bob', accessor: 'foo' });
  await d.process({ ...kvWriteInput(), token: other }, 'request');
  const auths = sink.lines.map(authOf);
  assert.deepEqual(auths[0], auths[1]);
  assert.equal(auths[0].remaining_uses, undefined);
  assert.deepEqual([auths[2].remaining_uses, auths[3].remaining_uses], [3, 2]);
  assert.equal(auths[4].display_name, 'userpass-bob');
  assert.equal(auths[4].accessor, H.foo);
  assert.equal(sink.lines[0], sink.lines[1]);
});
