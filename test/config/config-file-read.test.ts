/**
 * The configuration file is read bounded and without blocking: a FIFO or a device at its path is
 * refused at once (a start, a SIGHUP or `operator diagnose` must never wait on it), and so is a
 * file over 1 MiB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, MAX_CONFIG_FILE_BYTES } from '../../src/config/index.js';
import { runIn } from '../cli/harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Far longer than a refusal takes, far shorter than the test's timeout: past it the command is waiting on the file. */
const PROMPT_MS = 20_000;

/** `sealtrail operator diagnose -config <path> [...]` as a process run by bash (`path` may be `<(...)`), killed if it waits. */
function diagnose(path: string, extra = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `exec "${process.execPath}" --import tsx src/cli/main.ts operator diagnose -config ${path} ${extra}`;
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: ROOT, timeout: PROMPT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

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

test('operator diagnose reads the file as the server does: a FIFO, a pipe, a device or a larger file is refused at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-diagnose-read-'));
  try {
    const good = join(dir, 'good.hcl');
    writeFileSync(good, 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\n');
    assert.equal((await runIn(['operator', 'diagnose', '-config', good])).code, 0);
    const fifo = join(dir, 'fifo.hcl');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.hcl');
    writeFileSync(big, `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    // Nobody writes the FIFO: a blocking open would wait until the process is killed.
    for (const [path, why] of [[fifo, 'is not a regular file'], ['/dev/zero', 'is not a regular file'], [big, 'is larger than 1048576 bytes']]) {
      assert.deepEqual(await diagnose(path), { code: 1, stdout: '', stderr: `sealtrail: config file ${path} ${why}\n` }, path);
    }
    // `<(cat good.hcl)`: a pipe with a good configuration in it, refused as `server -config` refuses it.
    const piped = await diagnose(`<(cat ${good})`);
    assert.equal(piped.code, 1, piped.stdout + piped.stderr);
    assert.match(piped.stderr, /^sealtrail: config file \/dev\/fd\/\d+ is not a regular file\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config file any user may write is refused, naming its mode: whoever can edit it chooses the audit devices and the listener', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-config-read-'));
  try {
    const path = join(dir, 'config.hcl');
    writeFileSync(path, 'log_level = "warn"\n');
    chmodSync(path, 0o666);
    await assert.rejects(loadConfigFile(path), (err: unknown) => err instanceof ConfigError && /config file .*config\.hcl is writable by any user \(mode 0666\); run: chmod o-w /.test(err.message));
    chmodSync(path, 0o664);
    assert.equal((await loadConfigFile(path)).logLevel, 'warn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
