/**
 * SIGHUP reloads the configuration (src/app/reload.ts), as Vault: log_level, the declared audit
 * devices and the listener's certificate change without a restart; other settings wait for the
 * next start and are named; a file that is invalid changes nothing. Every reload is a server
 * event in the journal with its outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { runServer, type RunningServer } from '../../src/app/run.js';
import { buildCertificate } from '../../src/attestation/dev-enclave/certificate.js';
import { call } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';

const LISTENER = 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\n';
const fileDevice = (name: string, dir: string) => `audit "file" "${name}/" {\n  options = { file_path = "${join(dir, `${name}.log`)}" }\n}\n`;

/** The journal's reload events, oldest first. */
async function reloadEvents(base: string, token: string): Promise<Array<{ outcome: string; details: Record<string, string> }>> {
  const r = await call(base, 'GET', 'sys/journal/records?kind=server&order=asc&limit=1000', { token });
  const records = r.json.data.records as Array<{ outcome: string; record: { event: string; details: Record<string, string> } }>;
  return records.filter((x) => x.record.event === 'reload').map((x) => ({ outcome: x.outcome, details: x.record.details }));
}


/** Initializes and unseals a fresh server with one key share: its root token and unseal key. */
async function initAndUnseal(base: string): Promise<{ token: string; key: string }> {
  const init = await call(base, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  await call(base, 'PUT', 'sys/unseal', { body: { key: init.json.keys[0] } });
  return { token: init.json.root_token as string, key: init.json.keys[0] as string };
}

test('a reload applies log_level and the declared audit devices, names what waits for a restart, and refuses an invalid file whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-reload-'));
  const path = join(dir, 'config.hcl');
  writeFileSync(path, `${LISTENER}log_level = "error"\n${fileDevice('first', dir)}`);
  const server: RunningServer = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  try {
    const base = server.address;
    const { token, key } = await initAndUnseal(base);
    const devices = async () => Object.keys((await call(base, 'GET', 'sys/audit', { token })).json.data).sort();
    assert.deepEqual(await devices(), ['first/', 'journal/']);

    // A device added, the level changed, and a setting only a start can apply.
    writeFileSync(path, `${LISTENER}log_level = "warn"\ncluster_name = "renamed"\n${fileDevice('first', dir)}${fileDevice('second', dir)}`);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit', 'log_level'], restartRequired: ['cluster_name'] });
    assert.deepEqual(await devices(), ['first/', 'journal/', 'second/']);
    const read = await call(base, 'GET', 'sys/mounts', { token });
    assert.ok(readFileSync(join(dir, 'second.log'), 'utf8').includes(read.json.request_id), 'the added device records requests');

    // An invalid file changes nothing: the devices stay, requests are served.
    writeFileSync(path, `${LISTENER}log_level = "warn"\n${fileDevice('first', dir)}this is { not hcl`);
    assert.deepEqual(await server.reload(), { ok: false, applied: [], restartRequired: [], problem: 'config' });
    writeFileSync(path, `${LISTENER}log_level = "loud"\n`);
    assert.equal((await server.reload()).problem, 'config', 'a file that parses but is invalid is refused too');
    assert.deepEqual(await devices(), ['first/', 'journal/', 'second/']);
    assert.equal((await call(base, 'GET', 'sys/mounts', { token })).status, 200);

    // A device removed from the file is disabled.
    writeFileSync(path, `${LISTENER}log_level = "warn"\n${fileDevice('second', dir)}`);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit'], restartRequired: [] });
    assert.deepEqual(await devices(), ['journal/', 'second/']);

    // A declared device that cannot be opened fails the reload before anything else changes (the
    // log level stays); the same file, once the path can be opened, is applied by the next SIGHUP.
    writeFileSync(join(dir, 'blocked'), '');
    const secondElsewhere = `audit "file" "second/" {\n  options = { file_path = "${join(dir, 'second-b.log')}" }\n}\n`;
    const failing = `${LISTENER}log_level = "info"\n${secondElsewhere}audit "file" "fourth/" {\n  options = { file_path = "${join(dir, 'blocked', 'fourth.log')}" }\n}\n`;
    const before = readFileSync(path, 'utf8');
    writeFileSync(path, failing);
    assert.deepEqual(await server.reload(), { ok: false, applied: [], restartRequired: [], problem: 'audit_device' });
    assert.deepEqual(await devices(), ['journal/', 'second/']);
    // The other device's change went through; going back to the file before is applied whole.
    writeFileSync(path, before);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit'], restartRequired: [] });
    const back = await call(base, 'GET', 'sys/mounts', { token });
    assert.ok(readFileSync(join(dir, 'second.log'), 'utf8').includes(back.json.request_id), 'second/ writes its first file again');
    rmSync(join(dir, 'blocked'));
    mkdirSync(join(dir, 'blocked'));
    writeFileSync(path, failing);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit', 'log_level'], restartRequired: [] });
    assert.deepEqual(await devices(), ['fourth/', 'journal/', 'second/']);

    // While sealed there is no device to change: the next unseal applies the file as last reloaded.
    assert.equal((await call(base, 'PUT', 'sys/seal', { token })).status, 204);
    writeFileSync(path, `${LISTENER}log_level = "info"\n${fileDevice('third', dir)}`);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit'], restartRequired: [] });
    await call(base, 'PUT', 'sys/unseal', { body: { key } });
    assert.deepEqual(await devices(), ['journal/', 'third/']);

    const reloads = await reloadEvents(base, token);
    assert.deepEqual(reloads.map((e) => [e.outcome, e.details.applied, e.details.problem ?? '']), [
      ['success', 'audit,log_level', ''],
      ['failure', '', 'config'],
      ['failure', '', 'config'],
      ['success', 'audit', ''],
      ['failure', '', 'audit_device'],
      ['success', 'audit', ''],
      ['success', 'audit,log_level', ''],
      ['success', 'audit', ''],
    ]);
    assert.equal(reloads[0].details.restart_required, 'cluster_name');
    assert.ok(!JSON.stringify(reloads).includes('not hcl'), 'the event never carries the file\'s text');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a required device a reload cannot enable refuses requests, and sys/health lists it, until a reload enables it or no longer declares it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-reload-'));
  const path = join(dir, 'config.hcl');
  const requiredDevice = (file: string, name = 'required') => `audit "file" "${name}/" {\n  options = { file_path = "${file}", required = "true" }\n}\n`;
  writeFileSync(path, `${LISTENER}${fileDevice('first', dir)}`);
  const server: RunningServer = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  try {
    const base = server.address;
    const { token } = await initAndUnseal(base);
    const failing = async () => (await call(base, 'GET', 'sys/health')).json.audit_devices_failing as string[];

    // As the start and `audit enable` would: the request is not answered without the required device.
    writeFileSync(join(dir, 'blocked'), '');
    writeFileSync(path, `${LISTENER}${fileDevice('first', dir)}${requiredDevice(join(dir, 'blocked', 'required.log'))}`);
    assert.deepEqual(await server.reload(), { ok: false, applied: [], restartRequired: [], problem: 'audit_device' });
    assert.equal((await call(base, 'GET', 'sys/mounts', { token })).status, 500);
    assert.deepEqual(await failing(), ['required/']);

    // The same file, once the path can be opened: the next SIGHUP enables it and requests are served.
    rmSync(join(dir, 'blocked'));
    mkdirSync(join(dir, 'blocked'));
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit'], restartRequired: [] });
    const served = await call(base, 'GET', 'sys/mounts', { token });
    assert.equal(served.status, 200);
    assert.ok(readFileSync(join(dir, 'blocked', 'required.log'), 'utf8').includes(served.json.request_id));
    assert.deepEqual(await failing(), []);

    // Changed to a path that cannot be opened, it goes on as it was (and records); another required
    // device that cannot be enabled refuses requests until a reload no longer declares it.
    writeFileSync(path, `${LISTENER}${fileDevice('first', dir)}${requiredDevice(join(dir, 'first.log', 'required.log'))}`);
    assert.equal((await server.reload()).problem, 'audit_device');
    assert.equal((await call(base, 'GET', 'sys/mounts', { token })).status, 200);
    writeFileSync(path, `${LISTENER}${fileDevice('first', dir)}${requiredDevice(join(dir, 'first.log', 'other.log'), 'other')}`);
    assert.equal((await server.reload()).problem, 'audit_device');
    assert.equal((await call(base, 'GET', 'sys/mounts', { token })).status, 500);
    assert.deepEqual(await failing(), ['other/']);
    writeFileSync(path, `${LISTENER}${fileDevice('first', dir)}`);
    assert.deepEqual(await server.reload(), { ok: true, applied: ['audit'], restartRequired: [] });
    assert.equal((await call(base, 'GET', 'sys/mounts', { token })).status, 200);
    assert.deepEqual(await failing(), []);

    const r = await call(base, 'GET', 'sys/journal/records?kind=server&order=asc&limit=1000', { token });
    const episodes = (r.json.data.records as Array<{ record: { event: string; details: Record<string, string> } }>)
      .filter((x) => x.record.event.startsWith('audit_device_'))
      .map((x) => `${x.record.details.device} ${x.record.event}`);
    assert.deepEqual(episodes, ['required/ audit_device_failing', 'required/ audit_device_recovered', 'other/ audit_device_failing', 'other/ audit_device_recovered']);
    // Each failed reload names the device and why.
    const cannotOpen = (file: string) => `file audit device: cannot open "${join(dir, file)}" for appending (ENOTDIR)`;
    assert.deepEqual((await reloadEvents(base, token)).filter((e) => e.outcome === 'failure').map((e) => [e.details.problem, e.details.device, e.details.reason]), [
      ['audit_device', 'required/', cannotOpen('blocked/required.log')],
      ['audit_device', 'required/', cannotOpen('first.log/required.log')],
      ['audit_device', 'other/', cannotOpen('first.log/other.log')],
    ]);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A self-signed P-384 certificate and its key, as PEM. */
function keyPair(commonName: string): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const dn = { CN: commonName };
  const der = buildCertificate({
    subject: dn, issuer: dn, subjectKey: publicKey, issuerPublicKey: publicKey, issuerPrivateKey: privateKey,
    notBefore: Date.now() - 60_000, notAfter: Date.now() + 3600_000, ca: false,
  });
  const cert = `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** The common name of the certificate a new TLS connection to `base` is served. */
function servedName(base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/sys/health`, { rejectUnauthorized: false, agent: false }, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate() as X509Certificate;
      res.resume();
      resolve(/CN=(.*)/.exec(cert.subject)![1]);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a reload reads the listener\'s certificate again; files that are not a key pair keep the old one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-reload-tls-'));
  const path = join(dir, 'config.hcl');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const install = (pair: { cert: string; key: string }) => { writeFileSync(certFile, pair.cert); writeFileSync(keyFile, pair.key); };
  install(keyPair('first'));
  writeFileSync(path, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${certFile}"\n  tls_key_file = "${keyFile}"\n}\nstorage "inmem" {}\nlog_level = "error"\n`);
  const server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  try {
    assert.equal(await servedName(server.address), 'first');
    install(keyPair('renewed'));
    assert.deepEqual(await server.reload(), { ok: true, applied: ['tls'], restartRequired: [] });
    assert.equal(await servedName(server.address), 'renewed');

    // A certificate with another pair's key: refused, the renewed one stays.
    writeFileSync(certFile, keyPair('mismatched').cert);
    assert.deepEqual(await server.reload(), { ok: false, applied: [], restartRequired: [], problem: 'tls' });
    assert.equal(await servedName(server.address), 'renewed');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP to a running server process reloads its configuration file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-sighup-'));
  const config = join(dir, 'extra.hcl');
  writeFileSync(config, 'log_level = "error"\n');
  const server = await startServerProcess(join(dir, 'data'), { args: [`-config=${config}`] });
  try {
    const devices = async () => Object.keys((await call(server.base, 'GET', 'sys/audit', { token: server.token })).json.data);
    assert.ok(!(await devices()).includes('hup/'));
    writeFileSync(config, `log_level = "error"\n${fileDevice('hup', dir)}`);
    server.process.kill('SIGHUP');
    const deadline = Date.now() + 20_000;
    while (!(await devices()).includes('hup/')) {
      assert.ok(Date.now() < deadline, 'the device declared before SIGHUP was not enabled');
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await call(server.base, 'GET', 'sys/mounts', { token: server.token });
    assert.ok(readFileSync(join(dir, 'hup.log'), 'utf8').includes(r.json.request_id));
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
