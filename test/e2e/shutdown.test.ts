/**
 * SIGTERM to a server process whose audit devices cannot finish a write: the server still stops,
 * within a bounded time, and what it acknowledged stays recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startHoldingReceiver } from '../helpers/holding-receiver.js';
import { call, startDevServer } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';

const waitFor = async (what: string, cond: () => Promise<boolean>, ms = 60_000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('SIGHUP, then SIGTERM: a server whose file audit device writes to a pipe nobody reads still manages its devices and stops', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-shutdown-'));
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  // A reader that holds the pipe open and never reads it.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  writeFileSync(join(dir, 'config.hcl'), 'audit_block_timeout = "1s"\n');
  const server = await startServerProcess(join(dir, 'data'), { args: [`-config=${join(dir, 'config.hcl')}`] });
  try {
    const api = (method: string, path: string, body?: unknown) => call(server.base, method, path, { token: server.token, body });
    assert.equal((await api('PUT', 'sys/audit/pipe', { type: 'file', options: { file_path: fifo } })).status, 204);
    // More entries than the pipe holds: its write cannot finish, and the device fails.
    const value = 'v'.repeat(2000);
    for (let i = 0; i < 100; i++) assert.equal((await api('PUT', `secret/data/k${i}`, { data: { value } })).status, 200);
    await waitFor('the pipe device to fail', async () => ((await api('GET', 'sys/health')).json?.audit_devices_failing ?? []).includes('pipe/'));

    // SIGHUP reopens the devices: the pipe's reopen waits behind its write, and must not hold
    // audit management (enabling another device) or the shutdown with it.
    server.process.kill('SIGHUP');
    assert.equal((await api('PUT', 'sys/audit/later', { type: 'file', options: { file_path: join(dir, 'later.log') } })).status, 204);

    server.process.kill('SIGTERM');
    let exited = false;
    void server.exited.then(() => { exited = true; });
    await waitFor('the server to exit after SIGTERM', async () => exited);
    assert.equal(server.process.exitCode, 0);
    // Every acknowledged write has its response entry in the dev file device's log.
    const responses = readFileSync(join(dir, 'data', 'audit.log'), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; request: { path: string } })
      .filter((e) => e.type === 'response' && e.request.path.startsWith('secret/data/k'));
    assert.equal(responses.length, 100);
  } finally {
    if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL');
    await server.exited;
    closeSync(reader);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a request in flight when the server stops is answered, recorded, and its keep-alive connection does not hold the exit', { timeout: 120_000 }, async () => {
  const HELD = 'secret/data/in-flight';
  const receiver = await startHoldingReceiver(HELD);
  const server = await startDevServer({ logLevel: 'fatal' });
  let stopped: Promise<void> | undefined;
  try {
    const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
    assert.equal((await api('PUT', 'sys/audit/held', { type: 'http', options: { uri: receiver.url, filter: `path == "${HELD}"` } })).status, 204);
    const write = api('POST', HELD, { data: { v: 1 } });
    await receiver.held;
    stopped = server.close();
    const { port } = new URL(server.address);
    const listening = () => new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    await waitFor('the listener to close', async () => !(await listening()));
    receiver.release();
    const answer = await write;
    assert.equal(answer.status, 200);
    // The client keeps its connection for another request (as every pooled client does): the
    // server must still stop, well before its idle timeout (5 minutes).
    let done = false;
    void stopped.then(() => { done = true; });
    await waitFor('the server to stop', async () => done);
    const entries = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; request: { path: string; operation: string } })
      .filter((e) => e.request.path === HELD && e.request.operation !== 'read');
    assert.deepEqual(entries.map((e) => e.type), ['request', 'response']);
  } finally {
    receiver.release();
    await (stopped ?? server.close());
    rmSync(server.dir, { recursive: true, force: true });
    await receiver.close();
  }
});
