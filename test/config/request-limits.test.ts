import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/config/request-limits.js';

test('the listener request limits have documented defaults and can be set', async () => {
  const defaults = await parseConfig('listener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\n');
  assert.equal(defaults.listener.maxRequestSizeUnauthenticated, 65536);
  assert.equal(defaults.listener.maxRequestSizeLogin, 1048576);
  assert.equal(defaults.listener.maxRequestJsonDepth, 64);
  assert.equal(defaults.listener.maxRequestJsonEntries, 100000);
  assert.equal(defaults.listener.maxRequestJsonEntriesUnauthenticated, 1000);
  assert.deepEqual(DEFAULT_REQUEST_LIMITS, {
    maxRequestSizeUnauthenticated: 65536, maxRequestSizeLogin: 1048576, maxRequestJsonDepth: 64, maxRequestJsonEntries: 100000, maxRequestJsonEntriesUnauthenticated: 1000,
  });

  const set = await parseConfig(`listener "tcp" {
  address = "127.0.0.1:8200"
  tls_disable = true
  max_request_size_unauthenticated = 4096
  max_request_size_login = 8192
  max_request_json_depth = 16
  max_request_json_entries = 1000
  max_request_json_entries_unauthenticated = 10
}
`);
  assert.deepEqual(
    [set.listener.maxRequestSizeUnauthenticated, set.listener.maxRequestSizeLogin, set.listener.maxRequestJsonDepth, set.listener.maxRequestJsonEntries, set.listener.maxRequestJsonEntriesUnauthenticated],
    [4096, 8192, 16, 1000, 10],
  );
  await assert.rejects(parseConfig('listener "tcp" {\n  tls_disable = true\n  max_request_json_depth = 0\n}\n'), /listener\.max_request_json_depth must be a positive integer/);
});

test('a count or size given as a bool, a fraction or an inexact number is refused, not read as 1', async () => {
  const listener = (line: string) => parseConfig(`listener "tcp" {\n  tls_disable = true\n  ${line}\n}\n`);
  for (const value of ['true', '1.5', '1e300', '"many"']) {
    await assert.rejects(listener(`max_request_size = ${value}`), /listener\.max_request_size must be a positive number of bytes/, value);
    await assert.rejects(listener(`max_connections = ${value}`), /listener\.max_connections must be an integer from 1 to 1000000/, value);
    await assert.rejects(listener(`max_request_json_depth = ${value}`), /listener\.max_request_json_depth must be a positive integer/, value);
    await assert.rejects(listener(`x_forwarded_for_authorized_addrs = "10.0.0.0/8"\n  x_forwarded_for_hop_skips = ${value}`), /x_forwarded_for_hop_skips must be an integer from 0 to 64/, value);
  }
  // Digits in a string are a number, as HCL users write them.
  assert.equal((await listener('max_connections = "64"')).listener.maxConnections, 64);
  assert.equal((await listener('max_request_size = 1048576')).listener.maxRequestSize, 1048576);
});

test('configuration maps keep __proto__ and constructor keys as data', async () => {
  const cfg = await parseConfig('audit "file" "file/" {\n  options = { "__proto__" = "x", "constructor" = "y", file_path = "/tmp/a.log" }\n}\n');
  const options = cfg.audit[0].options;
  assert.equal(Object.getPrototypeOf(options), Object.prototype);
  assert.equal(JSON.stringify(options), '{"__proto__":"x","constructor":"y","file_path":"/tmp/a.log"}');
});
