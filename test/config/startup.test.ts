/**
 * A server refuses to start on an unsafe configuration (as Vault does), keeps its cluster id
 * across restarts, and with a key-file seal initializes with the one share that seal can use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { startupProblems } from '../../src/config/startup.js';
import { runServer } from '../../src/app/run.js';
import { call } from '../helpers/server.js';

const LISTENER = 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n';

function withDir(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealtrail-startup-'));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('a listener block without TLS files and without tls_disable is refused (TLS is on by default)', async () => {
  await assert.rejects(parseConfig('listener "tcp" {\n  address = "127.0.0.1:8200"\n}\n'),
    /tls_cert_file and tls_key_file are required unless tls_disable = true/);
  const off = await parseConfig(LISTENER);
  assert.equal(off.listener.tlsDisable, true);
});

test('outside dev mode a configuration needs a listener and a storage block; dev mode supplies both', async () => {
  const none = await parseConfig('log_level = "info"\n');
  assert.deepEqual(startupProblems(none, { dev: false }).map((p) => p.key), ['listener', 'storage']);
  assert.deepEqual(startupProblems(none, { dev: true }), []);
  const both = await parseConfig(`${LISTENER}storage "inmem" {}\n`);
  assert.deepEqual(startupProblems(both, { dev: false }), []);
});

test('every problem of a file is reported at once, each named by its key', async () => {
  const err = await parseConfig('log_level = "loud"\nkms {\n  account_id = "12"\n}\nbogus = 1\n').then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  const problems = err.problems;
  assert.deepEqual(problems.map((p) => p.key), ['bogus', 'log_level', 'kms']);
  assert.match(err.message, /unknown configuration key "bogus"; log_level must be one of .*; kms.account_id must be a 12-digit/);
});

test('the server refuses to start without a storage block, with a message that says what to add', withDir(async (dir) => {
  const path = join(dir, 'no-storage.hcl');
  writeFileSync(path, LISTENER);
  await assert.rejects(runServer({ configPath: path, handleSignals: false, out: () => {} }), /no storage block: .*storage "sqlite" \{ path = /);
}));

test('cluster_id is made once and kept across restarts', withDir(async (dir) => {
  const path = join(dir, 'sealtrail.hcl');
  writeFileSync(path, `${LISTENER}storage "sqlite" {\n  path = "${join(dir, 'data', 'sealtrail.db')}"\n}\nseal "file" {\n  path = "${join(dir, 'unseal.key')}"\n}\nlog_level = "error"\n`);
  let server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  let init;
  try {
    // A key-file seal: no shares asked for → one share; 5/3 → refused with the reason.
    const refused = await call(server.address, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    assert.equal(refused.status, 400);
    assert.match(refused.json.errors[0], /unseals itself from its key file .* secret_shares=1 and secret_threshold=1/);
    init = await call(server.address, 'PUT', 'sys/init', { body: {} });
    assert.equal(init.status, 200);
    assert.equal(init.json.keys_base64.length, 1);
  } finally {
    await server.close();
  }
  writeFileSync(join(dir, 'unseal.key'), `${init.json.keys_base64[0]}\n`, { mode: 0o600 });
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
    try {
      const status = await call(server.address, 'GET', 'sys/seal-status');
      assert.equal(status.json.sealed, false, 'unsealed from the key file');
      ids.push(status.json.cluster_id);
    } finally {
      await server.close();
    }
  }
  assert.match(ids[0], /^[0-9a-f-]{36}$/);
  assert.equal(ids[1], ids[0]);
}));

test('without a key-file seal, init with no shares asked for gives Vault\'s 5 shares, threshold 3', withDir(async (dir) => {
  const path = join(dir, 'sealtrail.hcl');
  writeFileSync(path, `${LISTENER}storage "sqlite" {\n  path = "${join(dir, 'sealtrail.db')}"\n}\nlog_level = "error"\n`);
  const server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  try {
    const init = await call(server.address, 'PUT', 'sys/init', { body: {} });
    assert.equal(init.json.keys.length, 5);
    const status = await call(server.address, 'GET', 'sys/seal-status');
    assert.deepEqual([status.json.n, status.json.t], [5, 3]);
  } finally {
    await server.close();
  }
}));
