/**
 * Acceptance (numbers kept digit for digit) through the real server: numbers float64 would change
 * come back byte for byte from KV v2 and capsules, in the raw response text, and in the audit
 * entries of a log_raw device, the hashed dev device (numbers are never hashed) and a JSONx device.
 * Fields the server itself interprets take such a number only as an exact safe integer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let base: string;
let token: string;
const api = (method: string, path: string, body?: unknown) => call(base, method, path, { token, body });
const rawApi = (method: string, path: string, rawBody: string, contentType = 'application/json') =>
  call(base, method, path, { token, rawBody, headers: { 'content-type': contentType } });

/** Each of these changes through float64 (2^63+1, overflow, negative zero, 60 digits, 2^64-ish). */
const NUMBERS = {
  big: '9223372036854775809',
  huge: '1e400',
  long: '123456789012345678901234567890.123456789012345678901234567890',
  negzero: '-0',
  twenty: '12345678901234567890',
};
const N = NUMBERS;

/**
 * Secret data with keys in sorted order (KV stores and Vault writes maps sorted) and no strings, so
 * its text is the same in the response and in every audit device, hashed or not.
 */
const DATA_TEXT =
  `{"big":${N.big},"huge":${N.huge},"long":${N.long},"negzero":${N.negzero},` +
  `"nested":{"list":[${N.twenty},${N.huge},{"deep":${N.negzero}}],"map":{"x":${N.long},"y":[${N.big}]}},` +
  `"plain":42,"twenty":${N.twenty}}`;

/** The audit lines of a device's file that belong to a request id. */
function auditLines(file: string, requestId: string): string[] {
  return readFileSync(join(server.dir, file), 'utf8').split('\n').filter((l) => l.includes(requestId));
}

before(async () => {
  server = await startDevServer();
  base = server.address;
  token = server.rootToken;
  assert.equal((await api('PUT', 'sys/audit/raw', { type: 'file', options: { file_path: join(server.dir, 'raw.log'), log_raw: true } })).status, 204);
  assert.equal((await api('PUT', 'sys/audit/xml', { type: 'file', options: { file_path: join(server.dir, 'jsonx.log'), format: 'jsonx' } })).status, 204);
});
after(async () => {
  await server?.stop();
});

test('KV v2: numbers come back byte for byte in the read and in the raw, hashed and JSONx audit entries', async () => {
  const write = await rawApi('POST', 'secret/data/numbers', `{"data":${DATA_TEXT}}`);
  assert.equal(write.status, 200, write.text);
  const read = await api('GET', 'secret/data/numbers');
  assert.equal(read.status, 200);
  assert.ok(read.text.includes(`"data":{"data":${DATA_TEXT},"metadata":`), read.text);

  for (const [device, file] of [['raw', 'raw.log'], ['hashed', 'audit.log']]) {
    const [writeRequest] = auditLines(file, write.json.request_id);
    assert.ok(writeRequest.includes(`"data":{"data":${DATA_TEXT}}`), `${device}: write request entry`);
    const [readRequest, readResponse] = auditLines(file, read.json.request_id);
    assert.ok(readRequest.includes('"type":"request"'), `${device}: read request entry first`);
    assert.ok(readResponse.includes(`"data":{"data":${DATA_TEXT},"metadata":`), `${device}: read response entry`);
  }
  // The hashed device still hashes strings: the read's metadata times are strings.
  assert.match(auditLines('audit.log', read.json.request_id)[1], /"created_time":"hmac-sha256:[0-9a-f]{64}"/);

  const [, xmlResponse] = auditLines('jsonx.log', read.json.request_id);
  assert.ok(xmlResponse.includes(`<json:number name="big">${N.big}</json:number>`));
  assert.ok(xmlResponse.includes(`<json:number name="huge">${N.huge}</json:number>`));
  assert.ok(xmlResponse.includes(`<json:array name="list"><json:number>${N.twenty}</json:number><json:number>${N.huge}</json:number><json:object><json:number name="deep">-0</json:number></json:object></json:array>`));
  assert.ok(xmlResponse.includes(`<json:number name="long">${N.long}</json:number>`));
});

test('a wrapped KV read keeps the numbers through the stored wrapped response and the unwrap', async () => {
  const wrap = await call(base, 'GET', 'secret/data/numbers', { token, headers: { 'x-vault-wrap-ttl': '5m' } });
  assert.equal(wrap.status, 200);
  const unwrap = await call(base, 'POST', 'sys/wrapping/unwrap', { token: wrap.json.wrap_info.token });
  assert.equal(unwrap.status, 200, unwrap.text);
  assert.ok(unwrap.text.includes(`"data":{"data":${DATA_TEXT},"metadata":`), unwrap.text);
});

test('KV v2: a merge patch keeps the numbers it adds and those it leaves', async () => {
  assert.equal((await rawApi('POST', 'secret/data/patched', `{"data":{"a":${N.big},"b":1}}`)).status, 200);
  const patch = await rawApi('PATCH', 'secret/data/patched', `{"data":{"b":${N.long},"c":[${N.negzero}]}}`, 'application/merge-patch+json');
  assert.equal(patch.status, 200, patch.text);
  const read = await api('GET', 'secret/data/patched');
  assert.ok(read.text.includes(`"data":{"data":{"a":${N.big},"b":${N.long},"c":[${N.negzero}]},"metadata":`), read.text);
});

test('KV v2: a custom_metadata number is kept as the string of its literal text', async () => {
  const put = await rawApi('POST', 'secret/metadata/meta-numbers', `{"custom_metadata":{"id":${N.twenty},"ratio":${N.long}}}`);
  assert.equal(put.status, 204, put.text);
  const read = await api('GET', 'secret/metadata/meta-numbers');
  assert.deepEqual(read.json.data.custom_metadata, { id: N.twenty, ratio: N.long });
});

test('KV v2: cas takes a kept number only as the exact integer it is; anything else is a 400, never rounded', async () => {
  assert.equal((await rawApi('POST', 'secret/data/cas', '{"data":{"v":1}}')).status, 200);
  // 1.0 and 1e0 are exactly 1: the check-and-set against version 1 succeeds.
  const exact = await rawApi('POST', 'secret/data/cas', '{"options":{"cas":1.0},"data":{"v":2}}');
  assert.equal(exact.status, 200, exact.text);
  assert.equal(exact.json.data.version, 2);
  assert.equal((await rawApi('POST', 'secret/data/cas', '{"options":{"cas":2e0},"data":{"v":3}}')).status, 200);
  // 3.0000000000000000001 rounds to 3 (the current version) in float64: refused, not rounded.
  for (const cas of ['3.0000000000000000001', '3.5', N.big, N.huge]) {
    const refused = await rawApi('POST', 'secret/data/cas', `{"options":{"cas":${cas}},"data":{"v":4}}`);
    assert.equal(refused.status, 400, cas);
    assert.deepEqual(refused.json, { errors: ['error parsing check-and-set parameter'] });
  }
  const meta = await rawApi('POST', 'secret/metadata/cas', `{"max_versions":${N.twenty}}`);
  assert.equal(meta.status, 400);
  assert.match(meta.json.errors[0], /max_versions.*expected an integer/);
  assert.equal((await api('GET', 'secret/data/cas')).json.data.metadata.version, 3);
});

test('a kept number coerced by the server is the exact integer or a 400: sys/tools/random bytes', async () => {
  const exact = await rawApi('POST', 'sys/tools/random', '{"bytes":16.0}');
  assert.equal(exact.status, 200, exact.text);
  assert.equal(Buffer.from(exact.json.data.random_bytes, 'base64').length, 16);
  for (const bytes of ['16.0000000000000000001', N.twenty, N.huge]) {
    const refused = await rawApi('POST', 'sys/tools/random', `{"bytes":${bytes}}`);
    assert.equal(refused.status, 400, bytes);
    assert.match(refused.json.errors[0], /"bytes" must be an integer/);
  }
});

test('capsules: records and table rows come back byte for byte, and so in the audit entries', async () => {
  const record = `{"a":${N.big},"b":${N.huge},"c":${N.negzero},"d":${N.long},"e":${N.twenty},"f":7}`;
  const sealed = await rawApi('POST', 'capsule/encapsulate', `{"records":[${record},{"a":1.0}]}`);
  assert.equal(sealed.status, 200, sealed.text);
  const load = await api('POST', 'capsule/load', { read_context: 'default', capsule: sealed.json.data.capsule });
  assert.equal(load.status, 200, load.text);
  assert.ok(load.text.includes(`"records":[${record},{"a":1.0}]`), load.text);
  for (const file of ['raw.log', 'audit.log']) {
    const [, response] = auditLines(file, load.json.request_id);
    assert.ok(response.includes(`"records":[${record},{"a":1.0}]`), file);
  }

  const row = `[${N.big},${N.huge},${N.negzero},${N.long},${N.twenty}]`;
  const table = await rawApi('POST', 'capsule/encapsulate', `{"table":{"columns":["a","b","c","d","e"],"rows":[${row}]}}`);
  assert.equal(table.status, 200, table.text);
  const loaded = await api('POST', 'capsule/load', { read_context: 'default', capsule: table.json.data.capsule });
  assert.ok(loaded.text.includes(`"rows":[${row}]`), loaded.text);
});

test('invalid JSON is still a clear 400 that echoes nothing', async () => {
  const bad = await rawApi('POST', 'secret/data/numbers', `{"data":{"n":${N.big},}}`);
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0], /^failed to parse JSON input: /);
  assert.ok(!bad.text.includes(N.big));
});
