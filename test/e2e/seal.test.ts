/**
 * Acceptance: a sealed server answers 503 on every non-exempt path; init → unseal with threshold
 * shares → unsealed; data written before a restart is readable after restart + unseal; and the
 * SQLite file holds no plaintext secret value or token id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call } from '../helpers/server.js';

function configFor(dir: string): string {
  const path = join(dir, 'sealtrail.hcl');
  writeFileSync(path, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'data', 'sealtrail.db')}"\n}\nlog_level = "error"\n`);
  return path;
}

test('seal lifecycle: init, threshold unseal, 503 while sealed, restart keeps data, no plaintext at rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
  const configPath = configFor(dir);
  const secretValue = 'plaintext-canary-7f3a9c';
  let rootToken = '';
  let keys: string[] = [];
  // Closed whatever happens: a failed assertion must not leave a server holding the test run open.
  const started: { close(): Promise<void> }[] = [];
  try {
    let server = await runServer({ configPath, handleSignals: false, out: () => {} });
    started.push(server);
    const base = server.address;

    const health0 = await call(base, 'GET', 'sys/health');
    assert.equal(health0.status, 501);
    assert.equal(health0.json.initialized, false);
    assert.equal((await call(base, 'GET', 'sys/init')).json.initialized, false);

    const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    assert.equal(init.status, 200);
    assert.equal(init.json.keys.length, 5);
    assert.equal(init.json.keys_base64.length, 5);
    rootToken = init.json.root_token;
    keys = init.json.keys;
    assert.match(rootToken, /^hvs\./);

    // Sealed: every non-exempt path answers 503.
    for (const [method, path] of [['GET', 'secret/data/x'], ['GET', 'sys/mounts'], ['POST', 'auth/token/create'], ['GET', 'sys/policies/acl'], ['LIST', 'secret/metadata/']] as const) {
      const r = await call(base, method, path, { token: rootToken });
      assert.equal(r.status, 503, `${method} ${path}`);
      assert.deepEqual(r.json, { errors: ['Vault is sealed'] });
    }
    assert.equal((await call(base, 'GET', 'sys/health')).status, 503);
    // Sealing a sealed server has nothing to do: 204, as Vault answers, with or without a token.
    assert.equal((await call(base, 'PUT', 'sys/seal', { token: rootToken })).status, 204);
    assert.equal((await call(base, 'PUT', 'sys/seal')).status, 204);
    assert.equal((await call(base, 'GET', 'sys/seal', { token: rootToken })).status, 503);
    assert.equal((await call(base, 'GET', 'sys/seal-status')).json.sealed, true);

    const s1 = await call(base, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    assert.deepEqual([s1.json.sealed, s1.json.progress, s1.json.t, s1.json.n], [true, 1, 3, 5]);
    await call(base, 'PUT', 'sys/unseal', { body: { key: keys[2] } });
    const s3 = await call(base, 'PUT', 'sys/unseal', { body: { key: keys[4] } });
    assert.equal(s3.json.sealed, false);
    assert.equal((await call(base, 'GET', 'sys/health')).status, 200);

    // Enable KV v2, write a secret, create a token.
    assert.equal((await call(base, 'POST', 'sys/mounts/secret', { token: rootToken, body: { type: 'kv-v2' } })).status, 204);
    assert.equal((await call(base, 'POST', 'secret/data/app', { token: rootToken, body: { data: { password: secretValue } } })).status, 200);
    const child = await call(base, 'POST', 'auth/token/create', { token: rootToken, body: { policies: ['default'] } });
    const childToken: string = child.json.auth.client_token;

    // Seal through the API: 503 again.
    assert.equal((await call(base, 'PUT', 'sys/seal', { token: rootToken })).status, 204);
    assert.equal((await call(base, 'GET', 'secret/data/app', { token: rootToken })).status, 503);
    await server.close();

    // The database files hold neither the secret nor any token id.
    const dataDir = join(dir, 'data');
    const files = readdirSync(dataDir).filter((f) => f.startsWith('sealtrail.db'));
    assert.ok(files.length >= 1);
    for (const f of files) {
      const bytes = readFileSync(join(dataDir, f));
      for (const needle of [secretValue, rootToken, childToken, rootToken.slice(4), childToken.slice(4)]) {
        assert.equal(bytes.indexOf(Buffer.from(needle)), -1, `${f} contains plaintext`);
      }
    }
    // ...while a storage path (stored in the clear, like Vault) is found: the scan can fail.
    assert.ok(files.some((f) => readFileSync(join(dataDir, f)).includes(Buffer.from('core-mounts/secret'))));

    // Restart: sealed until unsealed, then the data is back.
    server = await runServer({ configPath, handleSignals: false, out: () => {} });
    started.push(server);
    const base2 = server.address;
    assert.equal((await call(base2, 'GET', 'sys/seal-status')).json.sealed, true);
    for (const k of [keys[1], keys[3], keys[0]]) await call(base2, 'PUT', 'sys/unseal', { body: { key: k } });
    const read = await call(base2, 'GET', 'secret/data/app', { token: rootToken });
    assert.equal(read.status, 200);
    assert.equal(read.json.data.data.password, secretValue);
    assert.equal((await call(base2, 'GET', 'auth/token/lookup-self', { token: childToken })).status, 200);
    await server.close();
  } finally {
    for (const s of started) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wrong unseal shares fail cleanly and reset progress', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
  try {
    const server = await runServer({ configPath: configFor(dir), handleSignals: false, out: () => {} });
    const base = server.address;
    await call(base, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    const other = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
    const server2 = await runServer({ configPath: configFor(other), handleSignals: false, out: () => {} });
    const foreign = (await call(server2.address, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } })).json.keys;
    await server2.close();
    rmSync(other, { recursive: true, force: true });

    await call(base, 'PUT', 'sys/unseal', { body: { key: foreign[0] } });
    const r = await call(base, 'PUT', 'sys/unseal', { body: { key: foreign[1] } });
    assert.equal(r.status, 400);
    assert.match(r.json.errors[0], /failed to decrypt keys/);
    const status = await call(base, 'GET', 'sys/seal-status');
    assert.deepEqual([status.json.sealed, status.json.progress], [true, 0]);
    const bad = await call(base, 'PUT', 'sys/unseal', { body: { key: 'not hex!' } });
    assert.equal(bad.status, 400);
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sys/unseal with reset set resets whatever key comes with it (null, "", a share), as Vault; a null key alone is a 400', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
  try {
    const server = await runServer({ configPath: configFor(dir), handleSignals: false, out: () => {} });
    try {
      const base = server.address;
      const { keys } = (await call(base, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } })).json;
      for (const key of [null, '', keys[1]]) {
        assert.equal((await call(base, 'PUT', 'sys/unseal', { body: { key: keys[0] } })).json.progress, 1);
        const r = await call(base, 'PUT', 'sys/unseal', { body: { key, reset: true } });
        assert.equal(r.status, 200, JSON.stringify(key));
        assert.deepEqual([r.json.sealed, r.json.progress, r.json.nonce], [true, 0, '']);
      }
      const nullKey = await call(base, 'PUT', 'sys/unseal', { body: { key: null } });
      assert.deepEqual([nullKey.status, nullKey.json], [400, { errors: ["'key' must be specified in request body as JSON, or 'reset' set to true"] }]);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sys/init refuses pgp_keys and root_token_pgp_key rather than answer in the clear; empty ones (the vault CLI default) pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
  try {
    const server = await runServer({ configPath: configFor(dir), handleSignals: false, out: () => {} });
    try {
      const base = server.address;
      const pgpKey = 'mQENBFXbjPUBCADjNjCUQwfxKL+RR2GA6pv/1K+zJZ8UWIF9S0lk7cVIEfJiprzzwiMwBS5cD0da';
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ pgp_keys: [pgpKey, pgpKey, pgpKey] }, 'pgp_keys'],
        [{ root_token_pgp_key: pgpKey }, 'root_token_pgp_key'],
        [{ pgp_keys: [pgpKey, pgpKey, pgpKey], root_token_pgp_key: pgpKey }, 'pgp_keys and root_token_pgp_key'],
        [{ pgp_keys: 'keybase:someone' }, 'pgp_keys'],
      ];
      for (const [extra, named] of cases) {
        const res = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2, ...extra } });
        assert.equal(res.status, 400, named);
        assert.deepEqual(res.json, { errors: [`${named}: PGP encryption of the unseal key shares and the root token is not supported; initialize without them`] });
        assert.doesNotMatch(res.text, /mQENB|keybase/);
        assert.equal((await call(base, 'GET', 'sys/init')).json.initialized, false, 'a refused init initializes nothing');
      }
      // What the vault CLI sends without -pgp-keys and -root-token-pgp-key.
      const init = await call(base, 'PUT', 'sys/init', {
        body: { secret_shares: 3, secret_threshold: 2, pgp_keys: null, root_token_pgp_key: '', recovery_shares: 0, recovery_threshold: 0, recovery_pgp_keys: null },
      });
      assert.equal(init.status, 200, init.text);
      assert.equal(init.json.keys.length, 3);
      const empty = await call(base, 'PUT', 'sys/init', { body: { pgp_keys: [] } });
      assert.deepEqual([empty.status, empty.json.errors[0]], [400, 'Vault is already initialized']);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sys/health answers GET and HEAD, sys/leader and sys/seal-status GET only, sealed or not: any other method is 405', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-seal-'));
  let server: Awaited<ReturnType<typeof runServer>> | undefined;
  try {
    server = await runServer({ configPath: configFor(dir), handleSignals: false, out: () => {} });
    const base = server.address;
    const methods = async () => {
      for (const path of ['sys/health', 'sys/leader', 'sys/seal-status']) {
        assert.ok([200, 501, 503].includes((await call(base, 'GET', path)).status), path);
        const head = (await fetch(`${base}/v1/${path}`, { method: 'HEAD' })).status;
        if (path === 'sys/health') assert.ok([200, 501, 503].includes(head), path);
        else assert.equal(head, 405, `HEAD ${path}`);
        for (const method of ['POST', 'PUT', 'DELETE']) {
          const r = await call(base, method, path, { body: {} });
          assert.deepEqual([r.status, r.json], [405, { errors: ['unsupported operation'] }], `${method} ${path}`);
        }
      }
    };
    await methods(); // uninitialized
    const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    await methods(); // sealed
    await call(base, 'PUT', 'sys/unseal', { body: { key: init.json.keys[0] } });
    await methods(); // unsealed
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
