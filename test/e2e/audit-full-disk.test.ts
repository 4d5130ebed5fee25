/**
 * Acceptance (audit issue): after the audit file's disk filled up and space was freed, every line
 * of the file parses and holds both entries of every request that was answered — through the real
 * server, on a real 1 MiB tmpfs, with that file as the only audit device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { freeSpace, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

test('a full disk leaves no torn audit line; requests answered before and after are all recorded', { timeout: 30_000 }, async () => {
  let fs: Tmpfs | undefined;
  let server: TestServer | undefined;
  try {
    fs = mountTmpfs('1m');
    server = await startDevServer({ journal: false });
    const api = (method: string, path: string, body?: unknown) => call(server!.address, method, path, { token: server!.rootToken, body });
    const path = join(fs.dir, 'audit.log');
    assert.equal((await api('PUT', 'sys/audit/full', { type: 'file', options: { file_path: path } })).status, 204);
    assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);

    const answered: string[] = [];
    let refused = 0;
    const write = async (i: number) => {
      const r = await api('POST', `secret/data/disk-${i}`, { data: { v: 'x'.repeat(i % 300) } });
      if (r.status === 200) answered.push(r.json.request_id);
      else {
        assert.equal(r.status, 500);
        assert.deepEqual(r.json, { errors: ['internal error'] });
        refused++;
      }
      return r.status;
    };
    for (let i = 0; i < 10; i++) assert.equal(await write(i), 200);
    const filler = fs.fill();
    for (let i = 10; i < 60 && refused < 3; i++) await write(i);
    assert.ok(refused >= 1, 'requests are refused while the disk is full');
    freeSpace(filler);
    const afterRecovery = answered.length;
    for (let i = 100; i < 105; i++) assert.equal(await write(i), 200, 'requests are served once space is free');

    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    const entries = lines.map((line, i) => {
      try {
        return JSON.parse(line) as { type: string; request: { id: string } };
      } catch {
        return assert.fail(`audit line ${i + 1} does not parse`);
      }
    });
    for (const id of answered) {
      assert.deepEqual(entries.filter((e) => e.request.id === id).map((e) => e.type), ['request', 'response'], `entries of ${id}`);
    }
    assert.equal(answered.length, afterRecovery + 5);
  } finally {
    await server?.stop();
    fs?.unmount();
  }
});
