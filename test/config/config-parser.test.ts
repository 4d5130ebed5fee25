/** A configuration file the HCL parser does not finish in time, or dies over, is a ConfigError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { withFaultParser } from '../lib/hcl-fault-parser.js';

test('a configuration the HCL parser does not finish in time, or dies over, is refused, and the next one parses', async () => {
  await withFaultParser(200, async () => {
    for (const [text, message] of [
      ['hang', 'server.hcl: the HCL could not be parsed: the HCL parser did not finish within 200 ms'],
      ['exit', 'server.hcl: the HCL could not be parsed: the HCL parser stopped (exit code 7)'],
      ['invalid', 'server.hcl: invalid HCL: parse config: [x.hcl:1,1-2: Argument or block definition required]'],
    ]) {
      await assert.rejects(parseConfig(text, 'server.hcl'), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, message);
        return true;
      }, text);
    }
  });
  const config = await parseConfig('log_level = "warn"\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n', 'server.hcl');
  assert.equal(config.logLevel, 'warn');
});

test('configurations nested past the parser\'s stack are refused, one after another, and never stop a later one from parsing', async () => {
  // Each overflow leaves the Go runtime unfit; in one runtime a few in a row hung every later parse.
  assert.equal((await parseConfig('log_level = "warn"', 'server.hcl')).logLevel, 'warn');
  for (let i = 0; i < 4; i++) {
    await assert.rejects(parseConfig(`x = ${'['.repeat(20_000)}`, 'server.hcl'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'server.hcl: the HCL could not be parsed: the HCL parser failed: Maximum call stack size exceeded');
      return true;
    }, `overflow ${i}`);
  }
  assert.equal((await parseConfig('log_level = "info"', 'server.hcl')).logLevel, 'info');
});

test("lease TTLs: 0 is Vault's built-in 768h (never a token that does not expire), and the default may not exceed the max", async () => {
  const zero = await parseConfig('default_lease_ttl = "0"\nmax_lease_ttl = "1000h"\n');
  assert.deepEqual([zero.defaultLeaseTtl, zero.maxLeaseTtl], [768 * 3600, 1000 * 3600]);
  const both = await parseConfig('default_lease_ttl = 0\nmax_lease_ttl = "0s"\n');
  assert.deepEqual([both.defaultLeaseTtl, both.maxLeaseTtl], [768 * 3600, 768 * 3600]);
  await assert.rejects(parseConfig('default_lease_ttl = "0"\nmax_lease_ttl = "1h"\n'), /default_lease_ttl \(2764800s\) must not be greater than max_lease_ttl \(3600s\)/);
  await assert.rejects(parseConfig('default_lease_ttl = "2h"\nmax_lease_ttl = "1h"\n'), /must not be greater than max_lease_ttl/);
  const set = await parseConfig('default_lease_ttl = "30m"\nmax_lease_ttl = "1h"\n');
  assert.deepEqual([set.defaultLeaseTtl, set.maxLeaseTtl], [1800, 3600]);
});

test('a JSON configuration that sets a key twice in one object is refused, as HCL refuses it, not read as its last value', async () => {
  const listener = '"listener":{"tcp":{"address":"127.0.0.1:0","tls_disable":true}}';
  await assert.rejects(parseConfig(`{${listener},"log_level":"info","log_level":"error"}`, 'server.json'), (err: unknown) =>
    err instanceof ConfigError && /server\.json: the key "log_level" is set twice in one object/.test(err.message));
  await assert.rejects(parseConfig('{"listener":{"tcp":{"address":"127.0.0.1:0","tls_disable":false,"tls_disable":true}}}', 'server.json'),
    /the key "tls_disable" is set twice/);
  await assert.rejects(parseConfig(`{${listener},${listener}}`, 'server.json'), /the key "listener" is set twice/);
  assert.equal((await parseConfig(`{${listener},"log_level":"error"}`, 'server.json')).logLevel, 'error');
});

test('event_retention and journal.retention past the longest duration Go holds are refused, not kept as Infinity', async () => {
  const huge = `${'9'.repeat(400)}h`;
  await assert.rejects(parseConfig(`event_retention = "${huge}"\n`), /event_retention must be a positive duration of at most 2562047h/);
  await assert.rejects(parseConfig(`journal {\n  retention = "${huge}"\n}\n`), /journal.retention must be a duration from 1h to 2562047h/);
  await assert.rejects(parseConfig('event_retention = "2562048h"\n'), /event_retention must be/);
  assert.equal((await parseConfig('event_retention = "2562047h"\n')).eventRetentionMs, 2562047 * 3600_000);
  assert.equal((await parseConfig('journal {\n  retention = "2160h"\n}\n')).journal.retentionMs, 2160 * 3600_000);
});

test('a JSON configuration that is not JSON is refused by the position of the fault, never with an excerpt of the file (it may hold a password)', async () => {
  const url = 'postgres://sealtrail:Pw4DbMarker@127.0.0.1:5432/sealtrail';
  const texts = [
    `{"storage":{"postgresql":{"connection_url":"${url}", "table": sealtrail}}}`,
    `{"storage":{"postgresql":{"connection_url": ${url}}}}`,
  ];
  for (const text of texts) {
    await assert.rejects(parseConfig(text, 'server.json'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^server\.json: invalid JSON: invalid character at position \d+$/);
      assert.doesNotMatch(err.message, /Marker|sealtrail|postgres/);
      return true;
    }, text);
  }
  await assert.rejects(parseConfig('{"log_level": "info"', 'server.json'), (err: unknown) =>
    err instanceof ConfigError && err.message === 'server.json: invalid JSON: unexpected end of JSON input');
});
