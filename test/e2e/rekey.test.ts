/**
 * sys/rekey on the real server: a quorum of the current shares replaces the unseal key and its
 * shares (a new count and threshold), in force at once or after a quorum of the new shares is
 * given back (require_verification). Old shares open nothing afterwards, across a restart too.
 * Sudo is required and every step is audited, with no share of either set in the audit log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer, type RunningServer } from '../../src/app/run.js';
import { call, startDevServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';
import { httpCollector } from '../helpers/listeners.js';

async function unseal(base: string, keys: readonly string[]): Promise<any> {
  let last: any;
  for (const key of keys) last = await call(base, 'PUT', 'sys/unseal', { body: { key } });
  return last;
}

/** The settings of a server on storage of its own under `dir`: its file audit device, or `audit` instead. */
function configFor(dir: string, audit = `audit "file" "file/" {\n  options = { file_path = "${join(dir, 'audit.log')}" }\n}\n`): string {
  const path = join(dir, 'sealtrail.hcl');
  writeFileSync(path, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'data', 'sealtrail.db')}"\n}\n${audit}log_level = "error"\n`);
  return path;
}

/** A server initialized with 3 shares (threshold 2) and unsealed with the first two; `close` removes its directory. */
async function initializedServer(audit?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-rekey-'));
  const server = await runServer({ configPath: configFor(dir, audit), handleSignals: false, out: () => {} });
  const base = server.address;
  const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  const keys: string[] = init.json.keys;
  await unseal(base, keys.slice(0, 2));
  return {
    base, keys, keysBase64: init.json.keys_base64 as string[], root: init.json.root_token as string,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same share with its first byte (of the polynomial's value, not the x coordinate) changed. */
const corrupt = (hex: string): string => ((parseInt(hex.slice(0, 2), 16) ^ 0xff).toString(16).padStart(2, '0')) + hex.slice(2);

test('rekey: sudo only, a quorum of current shares, new shares in force at once; old ones open nothing, after a restart too; audited without a share', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-rekey-'));
  const configPath = configFor(dir);
  const servers: RunningServer[] = [];
  try {
    let server = await runServer({ configPath, handleSignals: false, out: () => {} });
    servers.push(server);
    let base = server.address;
    const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    const oldKeys: string[] = init.json.keys;
    const root: string = init.json.root_token;
    assert.equal((await unseal(base, oldKeys.slice(0, 3))).json.sealed, false);

    // No token, or a token without sudo: refused, and nothing started.
    assert.equal((await call(base, 'PUT', 'sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2 } })).status, 403);
    await call(base, 'PUT', 'sys/policies/acl/rekeyer', { token: root, body: { policy: 'path "sys/rekey/*" { capabilities = ["create", "read", "update", "delete"] }' } });
    const noSudo = (await call(base, 'POST', 'auth/token/create', { token: root, body: { policies: ['rekeyer'] } })).json.auth.client_token;
    assert.equal((await call(base, 'PUT', 'sys/rekey/init', { token: noSudo, body: { secret_shares: 3, secret_threshold: 2 } })).status, 403);
    assert.equal((await call(base, 'DELETE', 'sys/rekey/init', { token: noSudo })).status, 403);

    const idle = await call(base, 'GET', 'sys/rekey/init', { token: root });
    assert.equal(idle.status, 200);
    assert.deepEqual(idle.json, { started: false, nonce: '', t: 0, n: 0, progress: 0, required: 3, pgp_fingerprints: null, backup: false, verification_required: false });
    assert.equal((await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[0], nonce: 'x' } })).json.errors[0], 'no rekey in progress');

    // Bad starts: a bad configuration, PGP encryption asked for.
    const badConfig = await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 2, secret_threshold: 3 } });
    assert.deepEqual([badConfig.status, badConfig.json.errors[0]], [400, 'invalid seal configuration: threshold cannot be larger than shares']);
    const pgp = await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 3, secret_threshold: 2, pgp_keys: ['mQENBFXbjPUBCADjNjCUQwfxKL+RR2GA6pv'] } });
    assert.equal(pgp.status, 400);
    assert.match(pgp.json.errors[0], /^pgp_keys: PGP-encrypted/);

    // The vault CLI's body: empty PGP fields, backup false.
    const started = await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 3, secret_threshold: 2, pgp_keys: null, backup: false, require_verification: false } });
    assert.equal(started.status, 200);
    const nonce: string = started.json.nonce;
    assert.match(nonce, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...started.json, nonce: '' }, { started: true, nonce: '', t: 2, n: 3, progress: 0, required: 3, pgp_fingerprints: null, backup: false, verification_required: false });
    assert.equal((await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 1, secret_threshold: 1 } })).json.errors[0], 'rekey already in progress');

    const wrongNonce = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[0], nonce: '00000000-0000-0000-0000-000000000000' } });
    assert.deepEqual([wrongNonce.status, wrongNonce.json.errors[0]], [400, 'incorrect nonce']);
    const first = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[0], nonce } });
    assert.deepEqual([first.status, first.json.progress, first.json.complete], [200, 1, undefined]);
    const again = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[0], nonce } });
    assert.deepEqual([again.status, again.json.errors[0]], [400, 'given key has already been provided during this rekey operation']);

    // A quorum that does not combine into the unseal key: refused, its shares discarded, the attempt kept.
    await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[1], nonce } });
    const forged = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: corrupt(oldKeys[2]), nonce } });
    assert.deepEqual([forged.status, forged.json.errors[0]], [400, 'rekey failed: the key shares given do not combine into the unseal key']);
    const after = await call(base, 'GET', 'sys/rekey/init', { token: root });
    assert.deepEqual([after.json.started, after.json.nonce, after.json.progress], [true, nonce, 0]);

    let done: any;
    for (const key of [oldKeys[4], oldKeys[2], oldKeys[0]]) done = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key, nonce } });
    assert.equal(done.status, 200);
    assert.deepEqual([done.json.complete, done.json.nonce, done.json.verification_required, done.json.keys.length, done.json.keys_base64.length], [true, nonce, false, 3, 3]);
    const newKeys: string[] = done.json.keys;
    for (const [i, k] of newKeys.entries()) {
      assert.match(k, /^[0-9a-f]{66}$/);
      assert.equal(Buffer.from(done.json.keys_base64[i], 'base64').toString('hex'), k);
    }
    assert.equal((await call(base, 'GET', 'sys/rekey/init', { token: root })).json.started, false);
    const status = (await call(base, 'GET', 'sys/seal-status')).json;
    assert.deepEqual([status.t, status.n], [2, 3]);

    // Sealed again: the old shares open nothing, two of the new ones do.
    assert.equal((await call(base, 'PUT', 'sys/seal', { token: root })).status, 204);
    const old = await unseal(base, oldKeys.slice(0, 2));
    assert.equal(old.status, 400);
    assert.equal((await unseal(base, newKeys.slice(1))).json.sealed, false);
    await server.close();

    // The new seal is what storage holds.
    server = await runServer({ configPath, handleSignals: false, out: () => {} });
    servers.push(server);
    base = server.address;
    assert.deepEqual([(await call(base, 'GET', 'sys/seal-status')).json.t, (await call(base, 'GET', 'sys/seal-status')).json.n], [2, 3]);
    assert.equal((await unseal(base, oldKeys.slice(2, 4))).status, 400);
    assert.equal((await unseal(base, [newKeys[0], newKeys[2]])).json.sealed, false);
    await server.close();

    // Every step is in the audit log, with the refusals; no share, old or new, is.
    const log = readFileSync(join(dir, 'audit.log'), 'utf8');
    const entries = log.trim().split('\n').map((l) => JSON.parse(l));
    const rekeyEntries = entries.filter((e) => String(e.request?.path).startsWith('sys/rekey/'));
    assert.ok(rekeyEntries.length >= 2 * 14, `${rekeyEntries.length} rekey entries`);
    const refused = rekeyEntries.filter((e) => e.type === 'response' && /permission denied/.test(e.error ?? ''));
    assert.equal(refused.length, 3, JSON.stringify(rekeyEntries.filter((e) => e.type === 'response').map((e) => e.error)));
    const completion = rekeyEntries.find((e) => e.type === 'response' && e.response?.data?.complete === true);
    assert.ok(completion, 'the completing update is recorded');
    assert.equal(completion.response.data.shares, 3);
    assert.equal(completion.response.data.keys, undefined);
    for (const share of [...oldKeys, ...newKeys, ...done.json.keys_base64 as string[], corrupt(oldKeys[2])]) {
      assert.equal(log.includes(share), false, 'a share is in the audit log');
    }
    assert.match(rekeyEntries.find((e) => e.type === 'request' && e.request.path === 'sys/rekey/update')!.request.data.key, /^hmac-sha256:/);
  } finally {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rekey with require_verification: the new shares are in force only once a quorum of them is given back', async () => {
  const { base, keys: oldKeys, root, close } = await initializedServer();
  try {

    const nonce: string = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 4, secret_threshold: 3, require_verification: true } })).json.nonce;
    assert.equal((await call(base, 'GET', 'sys/rekey/verify', { token: root })).json.started, false);
    await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[2], nonce } });
    const out = (await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[0], nonce } })).json;
    assert.deepEqual([out.complete, out.verification_required, out.keys.length], [true, true, 4]);
    const newKeys: string[] = out.keys;
    let verifyNonce: string = out.verification_nonce;
    assert.match(verifyNonce, /^[0-9a-f-]{36}$/);
    assert.notEqual(verifyNonce, nonce);

    // Not in force yet: the seal still has the old shares, and the rekey waits for its verification.
    assert.deepEqual([(await call(base, 'GET', 'sys/seal-status')).json.t, (await call(base, 'GET', 'sys/seal-status')).json.n], [2, 3]);
    const status = (await call(base, 'GET', 'sys/rekey/init', { token: root })).json;
    assert.deepEqual([status.started, status.verification_required, status.verification_nonce], [true, true, verifyNonce]);
    assert.equal((await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: oldKeys[1], nonce } })).json.errors[0].startsWith('the new key shares are out'), true);
    assert.deepEqual((await call(base, 'GET', 'sys/rekey/verify', { token: root })).json, { started: true, nonce: verifyNonce, t: 3, n: 4, progress: 0 });

    // Wrong shares given back: refused, and the verification starts over.
    await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: newKeys[0], nonce: verifyNonce } });
    await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: newKeys[1], nonce: verifyNonce } });
    const forged = await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: corrupt(newKeys[2]), nonce: verifyNonce } });
    assert.deepEqual([forged.status, forged.json.errors[0]], [400, 'rekey verification failed: the new key shares given do not combine into the new unseal key']);
    const restarted = (await call(base, 'GET', 'sys/rekey/verify', { token: root })).json;
    assert.deepEqual([restarted.started, restarted.progress], [true, 0]);
    assert.notEqual(restarted.nonce, verifyNonce);
    // DELETE starts it over too, with yet another nonce.
    const cancelled = (await call(base, 'DELETE', 'sys/rekey/verify', { token: root })).json;
    assert.deepEqual([cancelled.started, cancelled.progress], [true, 0]);
    assert.notEqual(cancelled.nonce, restarted.nonce);
    verifyNonce = cancelled.nonce;
    assert.equal((await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: newKeys[0], nonce: restarted.nonce } })).json.errors[0], 'incorrect nonce');

    let verified: any;
    for (const key of [newKeys[3], newKeys[1], newKeys[2]]) verified = await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key, nonce: verifyNonce } });
    assert.deepEqual(verified.json, { nonce: verifyNonce, complete: true });
    assert.deepEqual([(await call(base, 'GET', 'sys/seal-status')).json.t, (await call(base, 'GET', 'sys/seal-status')).json.n], [3, 4]);
    assert.equal((await call(base, 'GET', 'sys/rekey/init', { token: root })).json.started, false);

    assert.equal((await call(base, 'PUT', 'sys/seal', { token: root })).status, 204);
    // The threshold is 3 now: three old shares are a whole attempt, and it fails.
    assert.equal((await unseal(base, oldKeys)).status, 400);
    assert.equal((await unseal(base, newKeys.slice(0, 3))).json.sealed, false);
  } finally {
    await close();
  }
});

test('rekey: cancelled by DELETE; sealing ends it; refused on a server that unseals itself from a key file', async () => {
  const dev = await startDevServer();
  try {
    const r = await call(dev.address, 'PUT', 'sys/rekey/init', { token: dev.rootToken, body: { secret_shares: 3, secret_threshold: 2 } });
    assert.equal(r.status, 400);
    assert.match(r.json.errors[0], /^this server unseals itself from its key file \(.*unseal\.key\)/);
    assert.equal((await call(dev.address, 'GET', 'sys/rekey/init', { token: dev.rootToken })).json.started, false);
  } finally {
    await dev.stop();
  }

  const { base, keys, root, close } = await initializedServer();
  try {
    const nonce = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 1, secret_threshold: 1 } })).json.nonce;
    await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[0], nonce } });
    assert.equal((await call(base, 'DELETE', 'sys/rekey/init', { token: root })).status, 204);
    assert.equal((await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[1], nonce } })).json.errors[0], 'no rekey in progress');

    const second = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 1, secret_threshold: 1 } })).json.nonce;
    assert.notEqual(second, nonce);
    await call(base, 'PUT', 'sys/seal', { token: root });
    await unseal(base, keys.slice(1, 3));
    assert.equal((await call(base, 'GET', 'sys/rekey/init', { token: root })).json.started, false);

    // One share: the share is the unseal key itself.
    const one = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 1, secret_threshold: 1 } })).json.nonce;
    await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[2], nonce: one } });
    const done = (await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[0], nonce: one } })).json;
    assert.deepEqual([done.complete, done.keys.length], [true, 1]);
    assert.match(done.keys[0], /^[0-9a-f]{64}$/);
    await call(base, 'PUT', 'sys/seal', { token: root });
    assert.equal((await unseal(base, [done.keys_base64[0]])).json.sealed, false);
  } finally {
    await close();
  }
});

test('sealtrail operator rekey: -init, shares from arguments and stdin with the nonce read from the status, -status, -cancel, -verify', async () => {
  const { base, keysBase64: oldKeys, root, close } = await initializedServer();
  try {
    const env = { SEALTRAIL_ADDR: base, SEALTRAIL_TOKEN: root };
    const cli = (argv: string[], stdin?: string) => runIn(['operator', 'rekey', ...argv], { env, stdin });

    const none = await cli([oldKeys[0]]);
    assert.deepEqual([none.code, none.stderr.trim()], [2, 'Error rekeying: no rekey in progress; start one with sealtrail operator rekey -init']);
    const started = await cli(['-init', '-key-shares=4', '-key-threshold=2']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^Started\s+true$/m);
    assert.match(started.stdout, /^Rekey Progress\s+0\/2$/m);
    assert.match(started.stdout, /^New Shares\s+4$/m);
    const progress = await cli([oldKeys[1]]);
    assert.match(progress.stdout, /^Rekey Progress\s+1\/2$/m);
    const status = await cli(['-status', '-format=json']);
    assert.equal(JSON.parse(status.stdout).progress, 1);
    assert.equal((await cli(['-cancel'])).stdout.trim(), 'Success! Canceled rekeying (if it was started)');
    assert.equal(JSON.parse((await cli(['-status', '-format=json'])).stdout).started, false);

    // Again, with verification; the last share from stdin.
    await cli(['-init', '-key-shares=3', '-key-threshold=2', '-verify']);
    await cli([oldKeys[2]]);
    const done = await cli([], `${oldKeys[0]}\n`);
    assert.equal(done.code, 0, done.stderr);
    const newKeys = [...done.stdout.matchAll(/^Key \d: (\S+)$/gm)].map((m) => m[1]);
    assert.equal(newKeys.length, 3);
    assert.match(done.stdout, /not in force until a quorum of them/);
    assert.equal((await cli(['-verify', newKeys[2]])).stdout.trim().startsWith('Verification progress: 1/2'), true);
    const verified = await cli(['-verify'], `${newKeys[0]}\n`);
    assert.match(verified.stdout, /^Success! Rekey verification was successful/);

    assert.equal((await call(base, 'PUT', 'sys/seal', { token: root })).status, 204);
    assert.equal((await unseal(base, oldKeys.slice(0, 2))).status, 400);
    assert.equal((await unseal(base, newKeys.slice(1))).json.sealed, false);

    // Bad usage is refused before anything is sent.
    const both = await cli(['-init', '-cancel']);
    assert.deepEqual([both.code, both.stderr.trim()], [1, 'only one of -init, -cancel and -status may be given']);
    assert.match((await cli(['-init', '-pgp-keys=a,b'])).stderr, /-pgp-keys and -backup are not supported/);
  } finally {
    await close();
  }
});

test('a rekey whose completing answer cannot be recorded hands out nothing and keeps the old shares in force', async () => {
  // The only audit device takes every entry but the one that would hand out the new shares.
  let refuse = true;
  const collector = await httpCollector((_req, res, body) => {
    if (!refuse || !body.includes('"complete":true')) return false;
    res.writeHead(503).end();
    return true;
  });
  const { base, keys, root, close } = await initializedServer(`audit "http" "http/" {\n  options = { uri = "${collector.url}" }\n}\njournal {\n  enabled = false\n}\n`);
  try {
    for (const verify of [false, true]) {
      const nonce = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 2, secret_threshold: 2, require_verification: verify } })).json.nonce;
      await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[0], nonce } });
      refuse = !verify;
      const last = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[2], nonce } });
      refuse = true;
      if (!verify) {
        assert.deepEqual([last.status, last.json], [500, { errors: ['internal error'] }]);
      } else {
        // The new shares are out; their verification's answer is the one that cannot be recorded.
        assert.equal(last.json.complete, true);
        const vnonce: string = last.json.verification_nonce;
        await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: last.json.keys[0], nonce: vnonce } });
        const verified = await call(base, 'PUT', 'sys/rekey/verify', { token: root, body: { key: last.json.keys[1], nonce: vnonce } });
        assert.deepEqual([verified.status, verified.json], [500, { errors: ['internal error'] }]);
      }
      assert.deepEqual([(await call(base, 'GET', 'sys/seal-status')).json.t, (await call(base, 'GET', 'sys/seal-status')).json.n], [2, 3]);
      // The old shares still open the server.
      assert.equal((await call(base, 'PUT', 'sys/seal', { token: root })).status, 204);
      assert.equal((await unseal(base, [keys[1], keys[2]])).json.sealed, false);
    }
    // With the device recording again, a rekey completes.
    refuse = false;
    const nonce = (await call(base, 'PUT', 'sys/rekey/init', { token: root, body: { secret_shares: 2, secret_threshold: 2 } })).json.nonce;
    await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[0], nonce } });
    const done = await call(base, 'PUT', 'sys/rekey/update', { token: root, body: { key: keys[1], nonce } });
    assert.deepEqual([done.status, done.json.keys.length], [200, 2]);
    assert.equal((await call(base, 'GET', 'sys/seal-status')).json.n, 2);
  } finally {
    await close();
    await collector.close();
  }
});
