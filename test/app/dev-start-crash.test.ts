/**
 * A dev server killed at any moment of its start leaves a data directory the next start uses: its
 * small state files (the unseal key, the root token's accessor, the dev CA) are written whole or
 * not at all, and the unseal key is on disk before the seal that needs it is committed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runServer } from '../../src/app/run.js';
import { startServerProcess } from '../helpers/server-process.js';

const KILL_AT_FILE = fileURLToPath(new URL('../helpers/kill-at-file.ts', import.meta.url));

/**
 * Starts a dev server process that is killed as it opens a file named `prefix`… (or, `afterOpen`,
 * just after: the file created or truncated, nothing written); resolves once it died.
 */
async function killedAt(dir: string, prefix: string, opts: { afterOpen?: boolean } = {}): Promise<void> {
  const env = { SEALTRAIL_TEST_KILL_AT_FILE: prefix, SEALTRAIL_TEST_KILL_AFTER_OPEN: opts.afterOpen ? '1' : '' };
  await assert.rejects(startServerProcess(dir, { imports: [KILL_AT_FILE], env }), /the server exited/);
}

async function startsAgain(dir: string): Promise<string> {
  const server = await startServerProcess(dir);
  try {
    const unsealKey = /^Unseal Key: (\S+)$/m.exec(server.output())?.[1];
    assert.ok(unsealKey, server.output());
    const lookup = await fetch(`${server.base}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': server.token } });
    assert.equal(lookup.status, 200);
    return unsealKey;
  } finally {
    server.process.kill('SIGKILL');
    await server.exited;
  }
}

test('a first dev start killed as it writes its unseal key leaves a directory the next start uses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devcrash-'));
  try {
    await killedAt(dir, 'unseal.key');
    const key = await startsAgain(dir);
    assert.equal(readFileSync(join(dir, 'unseal.key'), 'utf8').trim(), key);
    assert.equal(await startsAgain(dir), key, 'a later start unseals with the same key');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dev directory that holds an unseal key but no initialized seal is initialized with that key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devkey-'));
  try {
    const key = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(dir, 'unseal.key'), `${key}\n`, { mode: 0o600 });
    const lines: string[] = [];
    const server = await runServer({ dev: true, devListenAddress: '127.0.0.1:0', devDataDir: dir, logLevel: 'error', handleSignals: false, out: (l) => lines.push(l) });
    await server.close();
    assert.ok(lines.includes(`Unseal Key: ${key}`), lines.join('\n'));
    assert.equal(readFileSync(join(dir, 'unseal.key'), 'utf8'), `${key}\n`, 'the key file is left as it was');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a start killed as it records its root token\'s accessor leaves the previous record whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devaccessor-'));
  const file = join(dir, 'dev-root-token.accessor');
  try {
    await startsAgain(dir);
    const recorded = readFileSync(file, 'utf8');
    assert.notEqual(recorded, '');
    await killedAt(dir, 'dev-root-token.accessor', { afterOpen: true });
    assert.equal(readFileSync(file, 'utf8'), recorded);
    await startsAgain(dir);
    assert.notEqual(readFileSync(file, 'utf8'), recorded);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a first start killed as it writes the dev enclave CA leaves a directory the next start gives a whole CA', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devca-'));
  try {
    for (const name of ['root.pem', 'intermediate-key.pem']) {
      await killedAt(dir, name, { afterOpen: true });
      await startsAgain(dir);
      const ca = join(dir, 'dev-ca');
      assert.deepEqual(readdirSync(ca).sort(), ['intermediate-key.pem', 'intermediate.pem', 'root-key.pem', 'root.pem']);
      assert.match(readFileSync(join(ca, 'root.pem'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
      assert.match(readFileSync(join(ca, 'intermediate-key.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
      assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('dev-ca')), ['dev-ca']);
      rmSync(ca, { recursive: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
