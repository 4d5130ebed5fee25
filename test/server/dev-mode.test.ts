import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/server/run.js';

const devServer = (devDataDir?: string) => {
  const lines: string[] = [];
  return runServer({ dev: true, devListenAddress: '127.0.0.1:0', devDataDir, logLevel: 'error', handleSignals: false, out: (l) => lines.push(l) })
    .then((server) => ({ server, lines }));
};

test('dev mode without -dev-data-dir works in a temporary directory and removes it when it stops', async () => {
  const { server, lines } = await devServer();
  const dir = server.dataDir!;
  assert.ok(existsSync(join(dir, 'audit.log')), 'the dev audit log is in the data dir');
  assert.ok(lines.includes(`Data Dir: ${dir} (temporary: removed when the server stops; keep data with -dev-data-dir)`), lines.join('\n'));
  await server.close();
  assert.equal(existsSync(dir), false);
});

test('dev mode with -dev-data-dir keeps its data when it stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devdir-'));
  try {
    const { server, lines } = await devServer(dir);
    assert.ok(lines.includes(`Data Dir: ${dir}`), lines.join('\n'));
    await server.close();
    assert.ok(existsSync(join(dir, 'audit.log')));
    assert.ok(existsSync(join(dir, 'unseal.key')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
