/**
 * Enabling an audit device while the server is out of file descriptors fails for a reason of the
 * server's, not the request's: 503 naming the shortage, where a path the server cannot open stays
 * a 400 (as Vault's "sanity check failed on audit device"). The same request succeeds once
 * descriptors are free. (A network device's connection is not tested here: the server's own
 * descriptor use comes and goes, so whether its socket finds one free is a race; the devices'
 * tests check that their errors carry the system's code to the manager, which decides.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process.js';
import { tryConnect } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const OPEN_FILES = 256;



test('out of file descriptors, enabling an audit device answers 503 naming the shortage; a bad path stays 400', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-fds-'));
  const server = await startServerProcess(dir, { openFiles: OPEN_FILES });
  // One connection kept open from before the exhaustion carries every request.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(server.base);
  const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; errors: string[] }>((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, method, path: `/v1/sys/audit/${path}`, headers: { 'x-vault-token': server.token, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errors: text ? (JSON.parse(text) as { errors: string[] }).errors : [] }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const put = (path: string, body: unknown) => call('PUT', path, body);
  const held: Socket[] = [];
  /** Idle connections until every descriptor is taken (the server holds each one it accepts). */
  const takeDescriptors = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const s = await tryConnect(Number(url.port));
      if (s) held.push(s.on('error', () => undefined));
    }
  };
  try {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const badPath = { type: 'file', options: { file_path: join(dir, 'not-a-dir', 'audit.log') } };
    assert.equal((await put('bad', badPath)).status, 400);

    await takeDescriptors(OPEN_FILES + 50);
    await waitFor(() => /out of file descriptors/.test(server.output()), 15_000, 'the descriptors to run out');

    // The server's own use of descriptors comes and goes, so one may be free at the moment of the
    // open: then the device is enabled (and disabled again), and the descriptors taken once more.
    let file = { status: 0, errors: [] as string[] };
    for (let attempt = 0; attempt < 10 && file.status !== 503; attempt++) {
      await takeDescriptors(20);
      file = await put('more', { type: 'file', options: { file_path: join(dir, 'more.log') } });
      assert.notEqual(file.status, 400, `a shortage of the server's is not a bad request: ${file.errors.join()}`);
      if (file.status === 204) assert.equal((await call('DELETE', 'more')).status, 204);
    }
    assert.equal(file.status, 503, file.errors.join());
    assert.match(file.errors[0], /out of file descriptors \(EMFILE\)/);

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
