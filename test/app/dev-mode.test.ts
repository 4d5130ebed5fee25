import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';

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

test('a restart on a kept data directory revokes the root token the previous start printed, and only it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devroot-'));
  const lookup = async (server: Awaited<ReturnType<typeof runServer>>, token: string) =>
    (await fetch(`${server.address}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status;
  try {
    const first = await devServer(dir);
    const oldRoot = first.server.rootToken!;
    // A token the user made with it.
    const made = await fetch(`${first.server.address}/v1/auth/token/create`, { method: 'POST', headers: { 'x-vault-token': oldRoot }, body: '{"policies":["default"]}' });
    const child = ((await made.json()) as { auth: { client_token: string } }).auth.client_token;
    await first.server.close();

    const second = await devServer(dir);
    try {
      assert.notEqual(second.server.rootToken, oldRoot);
      assert.equal(await lookup(second.server, second.server.rootToken!), 200);
      assert.equal(await lookup(second.server, oldRoot), 403, 'the previous start\'s root token is revoked');
      assert.equal(await lookup(second.server, child), 200, 'the tokens it made are left');
    } finally {
      await second.server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dev server that cannot start (bad address, port in use) fails cleanly and leaves no temporary directory', async () => {
  const privateTmp = mkdtempSync(join(tmpdir(), 'sealtrail-tmpdir-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp; // os.tmpdir() reads it, so the dev directory is created here
  const blocker = createServer();
  try {
    const start = (devListenAddress: string) => runServer({ dev: true, devListenAddress, logLevel: 'error', handleSignals: false, out: () => undefined });
    // Run from source, the journal's thread loads tsx, which keeps its compile cache in TMPDIR.
    const left = () => readdirSync(privateTmp).filter((name) => !name.startsWith('tsx-'));
    await assert.rejects(start('not-an-address'), /invalid listener address "not-an-address"/);
    assert.deepEqual(left(), []);

    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = `127.0.0.1:${(blocker.address() as AddressInfo).port}`;
    await assert.rejects(start(taken), { code: 'EADDRINUSE' });
    assert.deepEqual(left(), [], 'the data directory, database, journal and dev CA are gone');
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    blocker.close();
    rmSync(privateTmp, { recursive: true, force: true });
  }
});

test('dev mode with a -config file listens at its listener\'s address unless -dev-listen-address is given, and keeps its own storage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-devconfig-'));
  const blocker = createServer();
  try {
    // A free port, named by the file.
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const configPath = join(dir, 'dev.hcl');
    writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'elsewhere.db')}"\n}\n`);
    const start = (devListenAddress?: string) => runServer({ dev: true, devListenAddress, configPath, devDataDir: join(dir, 'data'), logLevel: 'error', handleSignals: false, out: () => undefined });
    const named = await start();
    try {
      assert.equal(named.address, `http://127.0.0.1:${port}`);
    } finally {
      await named.close();
    }
    const flagged = await start('127.0.0.1:0');
    try {
      assert.notEqual(flagged.address, `http://127.0.0.1:${port}`, 'the flag wins over the file');
      assert.equal(existsSync(join(dir, 'elsewhere.db')), false, 'dev mode keeps its own storage');
    } finally {
      await flagged.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
