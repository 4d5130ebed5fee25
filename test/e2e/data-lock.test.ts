/**
 * One server per data directory: a second server on the same storage and journal files refuses to
 * start, naming them, and leaves the first one serving; the lock goes with its holder, however it
 * ends — a server killed with SIGKILL leaves nothing that stops the next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call, startDevServer } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';

test('a second server on a data directory in use refuses to start; the first serves on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-lock-'));
  const first = await startDevServer({ devDataDir: dir });
  try {
    await assert.rejects(startDevServer({ devDataDir: dir }), (err: Error) => {
      assert.equal(err.message, `another Sealtrail server is using ${join(dir, 'sealtrail.db')} (it holds ${join(dir, 'sealtrail.db.lock')}): stop it, or give this server its own storage path`);
      return true;
    });
    // The same journal under another storage is refused too: the spool would be cut under the first.
    const config = join(dir, 'other.hcl');
    const elsewhere = mkdtempSync(join(tmpdir(), 'sealtrail-lock-other-'));
    writeFileSync(config, `journal {\n  path = "${join(dir, 'journal.db')}"\n}\n`);
    await assert.rejects(startDevServer({ devDataDir: elsewhere, configPath: config }), /another Sealtrail server is using .*journal\.db/);
    rmSync(elsewhere, { recursive: true, force: true });
    assert.equal((await call(first.address, 'GET', 'sys/health')).status, 200, 'the first server still serves');
    assert.equal(statSync(join(dir, 'sealtrail.db.lock')).mode & 0o777, 0o600);
  } finally {
    await first.stop();
  }
  // Stopped, it lets the next one start.
  const next = await startDevServer({ devDataDir: dir });
  await next.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the lock of a server killed with SIGKILL is gone with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-lock-'));
  try {
    const child = await startServerProcess(dir);
    await assert.rejects(runServer({ dev: true, devDataDir: dir, devListenAddress: '127.0.0.1:0', logLevel: 'error', handleSignals: false, out: () => undefined }), /another Sealtrail server is using/);
    child.process.kill('SIGKILL');
    await child.exited;
    const next = await startDevServer({ devDataDir: dir });
    assert.equal((await call(next.address, 'GET', 'sys/health')).status, 200);
    await next.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
