/**
 * The configuration file is read bounded and without blocking: a FIFO or a device at its path is
 * refused at once (a start or a SIGHUP must never wait on it), and so is a file over 1 MiB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, MAX_CONFIG_FILE_BYTES } from '../../src/config/index.js';

test('a FIFO, a device or an oversized file at the config path is a ConfigError at once; a regular file is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-config-read-'));
  try {
    const fifo = join(dir, 'config.hcl');
    execFileSync('mkfifo', [fifo]);
    // Nobody writes the FIFO: a blocking open would never return (the test would time out).
    await assert.rejects(loadConfigFile(fifo), (err: unknown) => err instanceof ConfigError && /is not a regular file/.test(err.message));
    await assert.rejects(loadConfigFile('/dev/zero'), (err: unknown) => err instanceof ConfigError && /is not a regular file/.test(err.message));
    const big = join(dir, 'big.hcl');
    writeFileSync(big, `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    await assert.rejects(loadConfigFile(big), (err: unknown) => err instanceof ConfigError && /larger than 1048576 bytes/.test(err.message));
    await assert.rejects(loadConfigFile(join(dir, 'missing.hcl')), (err: unknown) => err instanceof ConfigError && /no such file/.test(err.message));
    const ok = join(dir, 'ok.hcl');
    writeFileSync(ok, 'log_level = "warn"\n');
    assert.equal((await loadConfigFile(ok)).logLevel, 'warn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
