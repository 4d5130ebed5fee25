/**
 * An unseal whose services fail to start half-way (here: the event store's file cannot be opened)
 * leaves the server sealed and closes what it had opened: no audit device keeps its file, and the
 * next unseal, once the cause is gone, starts clean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call } from '../helpers/server.js';

/** The files this process holds open, by path. */
function openFiles(): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try { paths.push(readlinkSync(`/proc/self/fd/${fd}`)); } catch { /* closed meanwhile */ }
  }
  return paths;
}

test('a failed unseal closes the audit devices it opened; the next unseal works', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-unseal-'));
  const auditLog = join(dir, 'audit.log');
  const config = join(dir, 'config.hcl');
  writeFileSync(config, [
    'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}',
    `storage "sqlite" {\n  path = "${join(dir, 'data', 'sealtrail.db')}"\n}`,
    `audit "file" "declared/" {\n  options = { file_path = "${auditLog}" }\n}`,
    'log_level = "error"\n',
  ].join('\n'));
  const server = await runServer({ configPath: config, handleSignals: false, out: () => {} });
  try {
    const base = server.address;
    const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    const key = init.json.keys[0] as string;
    const token = init.json.root_token as string;
    assert.equal((await call(base, 'PUT', 'sys/unseal', { body: { key } })).json.sealed, false);
    assert.ok(openFiles().includes(auditLog));
    assert.equal((await call(base, 'PUT', 'sys/seal', { token })).status, 204);
    assert.ok(!openFiles().includes(auditLog), 'sealing closes the audit file');

    // The event store's database cannot be opened: a directory stands at its path.
    const events = join(dir, 'data', 'events.db');
    for (const f of ['', '-wal', '-shm']) rmSync(`${events}${f}`, { force: true });
    mkdirSync(events);
    const failed = await call(base, 'PUT', 'sys/unseal', { body: { key } });
    assert.equal(failed.status, 500);
    assert.ok(!failed.text.includes(key) && !failed.text.includes('    at '), 'no key, no stack trace');
    assert.equal((await call(base, 'GET', 'sys/seal-status')).json.sealed, true);
    assert.ok(!openFiles().includes(auditLog), 'the failed unseal left the audit file open');

    rmSync(events, { recursive: true });
    assert.equal((await call(base, 'PUT', 'sys/unseal', { body: { key } })).json.sealed, false);
    const read = await call(base, 'GET', 'sys/mounts', { token });
    assert.equal(read.status, 200);
    const lines = readFileSync(auditLog, 'utf8').split('\n').filter((l) => l.includes(read.json.request_id));
    assert.equal(lines.length, 2, 'one request and one response entry');
    assert.equal(openFiles().filter((p) => p === auditLog).length, 1, 'one device holds the file');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
