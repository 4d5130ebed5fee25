/**
 * The main storage (SQLite, behind the barrier) on a full disk, through the real server on a real
 * tmpfs: KV writes are refused with 500 "internal error", reads are served, and once space is free
 * writes are served again without a restart. No refused write is visible later, none half-applied
 * (a KV write is one transaction), and every acknowledged write is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { freeSpace, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

const INTERNAL = { errors: ['internal error'] };

test('storage\'s disk full: KV writes are refused with 500, reads served, nothing half-written, served again once space is free', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-kv-disk-'));
  let fs: Tmpfs | undefined;
  let server: TestServer | undefined;
  try {
    fs = mountTmpfs('8m');
    // The data dir (storage, its events.db) on the tmpfs; the journal elsewhere, so that it is
    // storage that fails.
    const configPath = join(dir, 'server.hcl');
    writeFileSync(configPath, `journal {\n  path = "${join(dir, 'journal.db')}"\n}\n`);
    server = await startDevServer({ configPath, devDataDir: fs.dir });
    const api = (method: string, path: string, body?: unknown) => call(server!.address, method, path, { token: server!.rootToken, body });
    for (let i = 0; i < 5; i++) assert.equal((await api('POST', `secret/data/k${i}`, { data: { v: `v${i}` } })).status, 200);

    const acknowledged: number[] = [];
    const refused: number[] = [];
    const write = async (n: number, size: number) => {
      const r = await api('POST', `secret/data/k${n}`, { data: { v: 'x'.repeat(size) } });
      if (r.status === 200) acknowledged.push(n);
      else {
        assert.equal(r.status, 500);
        assert.deepEqual(r.json, INTERNAL);
        refused.push(n);
      }
    };
    const filler = fs.fill();
    await Promise.all(Array.from({ length: 4 }, async (_, w) => { for (let i = 0; i < 5; i++) await write(100 + 10 * w + i, 3000); }));
    assert.ok(refused.length >= 10, 'writes are refused while storage cannot commit');

    const read = await api('GET', 'secret/data/k1');
    assert.equal(read.status, 200, 'reads are served while the disk is full');
    assert.equal(read.json.data.data.v, 'v1');
    for (const [method, path, body] of [['POST', 'secret/data/k2', { data: { v: 'new' } }], ['POST', 'secret/metadata/k3', { max_versions: 3 }], ['DELETE', 'secret/data/k4', undefined]] as const) {
      const r = await api(method, path, body);
      assert.equal(r.status, 500, `${method} ${path}`);
      assert.deepEqual(r.json, INTERNAL);
    }
    // A few KiB at a time: writes near the edge either commit whole or not at all.
    for (let round = 0; round < 15; round++) {
      truncateSync(filler, Math.max(0, statSync(filler).size - 6000 * (round % 4 + 1)));
      for (let j = 0; j < 6; j++) await write(50_000 + round * 10 + j, 2500);
    }

    freeSpace(filler);
    for (let i = 0; i < 3; i++) assert.equal((await api('POST', `secret/data/after${i}`, { data: { v: 'a' } })).status, 200, 'served again once space is free');
    for (const n of refused) assert.equal((await api('GET', `secret/data/k${n}`)).status, 404, `refused write k${n} left nothing`);
    for (const n of acknowledged) assert.equal((await api('GET', `secret/data/k${n}`)).status, 200, `acknowledged write k${n}`);
    const k2 = await api('GET', 'secret/data/k2');
    assert.deepEqual([k2.json.data.data.v, k2.json.data.metadata.version], ['v2', 1]);
    assert.equal((await api('GET', 'secret/data/k4')).json.data.metadata.deletion_time, '');
    assert.equal((await api('GET', 'secret/metadata/k3')).json.data.max_versions, 0);
  } finally {
    await server?.stop();
    fs?.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
});
