/**
 * One server per data directory: a second server on the same storage or journal directory — named
 * directly, through a symbolic link to the database, or sharing the directory under other file
 * names — refuses to start, naming it, and leaves the first one serving; the lock goes with its
 * holder, however it ends — a server killed with SIGKILL leaves nothing that stops the next start.
 */
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call, startDevServer } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';

const inUse = (dir: string) => `another Sealtrail server is using ${dir} (it holds ${join(dir, '.sealtrail.lock')}): stop it, or give this server a directory of its own`;

test('a second server on a data directory in use refuses to start, however it names it; the first serves on', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sealtrail-lock-')));
  const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sealtrail-lock-other-')));
  const first = await startDevServer({ devDataDir: dir });
  try {
    await assert.rejects(startDevServer({ devDataDir: dir }), (err: Error) => { assert.equal(err.message, inUse(dir)); return true; });
    // The same journal under another storage: the spool and the ledger would be cut under the first.
    const config = join(elsewhere, 'other.hcl');
    writeFileSync(config, `journal {\n  path = "${join(dir, 'journal.db')}"\n}\n`);
    await assert.rejects(startDevServer({ devDataDir: join(elsewhere, 'a'), configPath: config }), (err: Error) => { assert.equal(err.message, inUse(dir)); return true; });
    // Another journal file in the same directory: events.db and the ledger there would be shared.
    writeFileSync(config, `journal {\n  path = "${join(dir, 'journal-b.db')}"\n}\n`);
    await assert.rejects(startDevServer({ devDataDir: join(elsewhere, 'b'), configPath: config }), (err: Error) => { assert.equal(err.message, inUse(dir)); return true; });
    // The database reached through a symbolic link from another directory.
    const linked = join(elsewhere, 'linked');
    mkdirSync(linked);
    symlinkSync(join(dir, 'sealtrail.db'), join(linked, 'sealtrail.db'));
    await assert.rejects(startDevServer({ devDataDir: linked }), (err: Error) => { assert.equal(err.message, inUse(dir)); return true; });
    // A link followed by `..`: the kernel goes where the link points, and so do the lock and the files.
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'sub'), join(elsewhere, 'to-sub'));
    const dotted = join(elsewhere, 'dotted.hcl');
    writeFileSync(dotted, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${elsewhere}/to-sub/../sealtrail.db"\n}\n`);
    await assert.rejects(runServer({ configPath: dotted, handleSignals: false, out: () => undefined }), (err: Error) => { assert.equal(err.message, inUse(dir)); return true; });
    assert.equal((await call(first.address, 'GET', 'sys/health')).status, 200, 'the first server still serves');
    assert.equal(statSync(join(dir, '.sealtrail.lock')).mode & 0o777, 0o600);
  } finally {
    await first.stop();
  }
  // Stopped, it lets the next one start.
  const next = await startDevServer({ devDataDir: dir });
  await next.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

test('a lock file that is a symbolic link is refused, its target untouched', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sealtrail-lock-')));
  try {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep me', { mode: 0o644 });
    mkdirSync(join(dir, 'data'));
    symlinkSync(victim, join(dir, 'data', '.sealtrail.lock'));
    await assert.rejects(startDevServer({ devDataDir: join(dir, 'data') }), /the lock file .*\.sealtrail\.lock is a symbolic link: remove it/);
    assert.equal(statSync(victim).mode & 0o777, 0o644);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    // A directory or a FIFO in its place is named as such, not as a disk error.
    rmSync(join(dir, 'data', '.sealtrail.lock'));
    mkdirSync(join(dir, 'data', '.sealtrail.lock'));
    await assert.rejects(startDevServer({ devDataDir: join(dir, 'data') }), /the lock file .*\.sealtrail\.lock is not a regular file: remove it/);
    rmSync(join(dir, 'data', '.sealtrail.lock'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'data', '.sealtrail.lock')]);
    await assert.rejects(startDevServer({ devDataDir: join(dir, 'data') }), /the lock file .*\.sealtrail\.lock is not a regular file: remove it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test('a data directory any user may write is refused at start, naming its mode: other users could replace the server\'s files there', async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sealtrail-lock-')));
  try {
    const data = join(dir, 'data');
    mkdirSync(data);
    for (const mode of [0o777, 0o1777]) {
      chmodSync(data, mode);
      const shown = mode.toString(8).padStart(4, '0');
      await assert.rejects(startDevServer({ devDataDir: data }), (err: Error) => {
        assert.equal(err.message, `the data directory ${data} is writable by any user (mode ${shown}): other users could replace the server's files there; run: chmod o-w ${data}`);
        return true;
      });
    }
    chmodSync(data, 0o770);
    const server = await startDevServer({ devDataDir: data });
    await server.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
