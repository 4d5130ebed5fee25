/**
 * SIGHUP's default action ends the process. A server handling signals holds one that arrives while
 * it starts (a `systemctl reload` or logrotate's postrotate at the wrong moment) and reloads once
 * it has started, instead of dying half-way through its start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';

test('a SIGHUP during the start is held, not fatal, and reloads once the server has started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-sighup-'));
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\nlog_level = "error"\n');
  const before = process.listenerCount('SIGHUP');
  const others = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  try {
    const starting = runServer({ configPath, out: () => {} });
    assert.equal(process.listenerCount('SIGHUP'), before + 1, 'a handler from the first moment of the start');
    writeFileSync(configPath, 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\nlog_level = "warn"\n');
    process.emit('SIGHUP', 'SIGHUP');
    const server = await starting;
    try {
      assert.equal(process.listenerCount('SIGHUP'), before + 1, 'one handler once started');
      // The held SIGHUP ran once the reloader existed: the next one finds the file already applied.
      assert.deepEqual((await server.reload()).applied, []);
    } finally {
      await server.close();
    }
  } finally {
    for (const l of process.listeners('SIGHUP').slice(before)) process.off('SIGHUP', l);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const l of process.listeners(signal).slice(others[signal])) process.off(signal, l);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a start that fails leaves no SIGHUP handler behind', async () => {
  const before = process.listenerCount('SIGHUP');
  await assert.rejects(runServer({ configPath: join(tmpdir(), 'sealtrail-no-such-config.hcl'), out: () => {} }), /no such file/);
  assert.equal(process.listenerCount('SIGHUP'), before);
});
