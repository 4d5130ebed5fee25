/**
 * Enabling an audit device while the server is out of file descriptors fails for a reason of the
 * server's, not the request's: 503 naming the shortage, where a path the server cannot open stays
 * a 400 (as Vault's "sanity check failed on audit device"). The same request succeeds once
 * descriptors are free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process.js';

const OPEN_FILES = 256;

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const open = (port: number): Promise<Socket | undefined> => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => resolve(socket));
  socket.once('error', () => resolve(undefined));
});

test('out of file descriptors, enabling an audit device answers 503 naming the shortage; a bad path stays 400', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-fds-'));
  const server = await startServerProcess(dir, { openFiles: OPEN_FILES });
  // One connection kept open from before the exhaustion carries every request.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(server.base);
  const put = (path: string, body: unknown) => new Promise<{ status: number; errors: string[] }>((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, method: 'PUT', path: `/v1/sys/audit/${path}`, headers: { 'x-vault-token': server.token, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errors: text ? (JSON.parse(text) as { errors: string[] }).errors : [] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
  const held: Socket[] = [];
  try {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const badPath = { type: 'file', options: { file_path: join(dir, 'not-a-dir', 'audit.log') } };
    assert.equal((await put('bad', badPath)).status, 400);

    for (let i = 0; i < OPEN_FILES + 50; i++) {
      const s = await open(Number(url.port));
      if (s) held.push(s.on('error', () => undefined));
    }
    await waitFor(() => /out of file descriptors/.test(server.output()), 15_000, 'the descriptors to run out');

    const file = await put('more', { type: 'file', options: { file_path: join(dir, 'more.log') } });
    assert.equal(file.status, 503, file.errors.join());
    assert.match(file.errors[0], /out of file descriptors \(EMFILE\)/);
    const http = await put('siem', { type: 'http', options: { url: 'http://127.0.0.1:9/ingest' } });
    assert.equal(http.status, 503, http.errors.join());
    assert.match(http.errors[0], /out of file descriptors \(EMFILE\)/);

    for (const s of held.splice(0)) s.destroy();
    await waitFor(() => /file descriptors are available again/.test(server.output()), 15_000, 'the descriptors to be free');
    assert.equal((await put('more', { type: 'file', options: { file_path: join(dir, 'more.log') } })).status, 204);
    assert.equal((await put('bad', badPath)).status, 400);
  } finally {
    for (const s of held) s.destroy();
    agent.destroy();
    server.process.kill('SIGKILL');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
