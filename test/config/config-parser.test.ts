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
