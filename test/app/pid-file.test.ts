/**
 * pid_file, as Vault: the server's process id is in the file while it runs, and the file is gone
 * once it stops; log_format = "standard" is accepted beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { runServer } from '../../src/app/run.js';

test('pid_file holds the process id while the server runs and is removed when it stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-pid-'));
  const pidFile = join(dir, 'sealtrail.pid');
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\nlog_level = "error"\nlog_format = "standard"\npid_file = "${pidFile}"\n`);
  try {
    const server = await runServer({ configPath, handleSignals: false, out: () => {} });
    try {
      assert.equal(readFileSync(pidFile, 'utf8'), `${process.pid}\n`);
      assert.equal(statSync(pidFile).mode & 0o777, 0o644);
    } finally {
      await server.close();
    }
    assert.equal(existsSync(pidFile), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log_format takes "standard" or "json"; anything else is named', async () => {
  assert.equal((await parseConfig('')).logFormat, 'json');
  assert.equal((await parseConfig('log_format = "standard"\n')).logFormat, 'standard');
  assert.equal((await parseConfig('log_format = "JSON"\n')).logFormat, 'json');
  await assert.rejects(parseConfig('log_format = "logfmt"\n'), /log_format must be "standard" or "json"/);
  await assert.rejects(parseConfig('pid_file = ""\n'), /pid_file must be a non-empty string/);
});

test('a pid_file path that is a symbolic link or a FIFO is refused at start: the link is not followed, the start does not hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-pid-'));
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'keep me\n');
  const config = (pidFile: string) => {
    const configPath = join(dir, 'config.hcl');
    writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\nlog_level = "error"\npid_file = "${pidFile}"\n`);
    return configPath;
  };
  try {
    const link = join(dir, 'link.pid');
    symlinkSync(victim, link);
    await assert.rejects(runServer({ configPath: config(link), handleSignals: false, out: () => {} }), /pid_file .*link\.pid.*symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me\n');
    const fifo = join(dir, 'fifo.pid');
    execFileSync('mkfifo', [fifo]);
    const started = runServer({ configPath: config(fifo), handleSignals: false, out: () => {} });
    const outcome = await Promise.race([started.then(async (s) => { await s.close(); return 'started'; }, (err: Error) => err.message), delay(5000, 'hung')]);
    assert.match(outcome, /pid_file .*fifo\.pid.*not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
