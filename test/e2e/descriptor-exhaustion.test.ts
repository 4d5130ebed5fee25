/**
 * Out of file descriptors, the listener cannot take a connection: it is closed unanswered, so no
 * request exists and nothing is recorded. The server must say so in its log (once, not once per
 * connection) and serve again, recorded as ever, once descriptors are free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process.js';
import { tryConnect } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const OPEN_FILES = 256;



test('out of file descriptors: told once in the log, connections refused unanswered, then served and recorded again', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-fds-'));
  const server = await startServerProcess(dir, { openFiles: OPEN_FILES });
  const held: Socket[] = [];
  try {
    const port = Number(new URL(server.base).port);
    const headers = { 'x-vault-token': server.token, 'content-type': 'application/json' };
    // Idle connections until every descriptor is taken (the server holds each one it accepts).
    for (let i = 0; i < OPEN_FILES + 50; i++) {
      const s = await tryConnect(port);
      if (s) held.push(s.on('error', () => undefined));
    }
    await waitFor(() => /out of file descriptors/.test(server.output()), 15_000, 'the log to tell of the exhaustion');

    for (const s of held.splice(0)) s.destroy();
    await waitFor(() => /file descriptors are available again/.test(server.output()), 15_000, 'the log to tell of the recovery');
    const put = await fetch(`${server.base}/v1/secret/data/after`, { method: 'POST', headers, body: JSON.stringify({ data: { a: 'b' } }) });
    assert.equal(put.status, 200);
    const recorded = readFileSync(join(dir, 'audit.log'), 'utf8').split('\n').filter((line) => line.includes('"secret/data/after"'));
    assert.deepEqual(recorded.map((line) => (JSON.parse(line) as { type: string }).type), ['request', 'response'], 'the write is recorded');
    assert.equal(server.output().match(/out of file descriptors/g)?.length, 1, 'told once for the episode');
  } finally {
    for (const s of held) s.destroy();
    server.process.kill('SIGKILL');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
