/**
 * The listener's TLS rules on a real server (config/listener-tls.ts): tls_min_version holds, and
 * with tls_require_and_verify_client_cert only a client certificate issued under
 * tls_client_ca_file gets through the handshake. Both still hold after a SIGHUP reload, which
 * replaces the listener's secure context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { runServer } from '../../src/app/run.js';
import { buildCertificate } from '../../src/attestation/dev-enclave/certificate.js';

interface Issued { cert: string; key: string; publicKey: KeyObject; privateKey: KeyObject; name: string }

const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

/** A P-384 certificate for `name`, self-signed unless `issuer` is given. */
function issue(name: string, opts: { ca: boolean; issuer?: Issued }): Issued {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const der = buildCertificate({
    subject: { CN: name }, issuer: { CN: opts.issuer?.name ?? name }, subjectKey: publicKey,
    issuerPublicKey: opts.issuer?.publicKey ?? publicKey, issuerPrivateKey: opts.issuer?.privateKey ?? privateKey,
    notBefore: Date.now() - 60_000, notAfter: Date.now() + 3600_000, ca: opts.ca,
  });
  return { cert: pem(der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey, privateKey, name };
}

/** The status of GET sys/health over a new TLS connection, or the error the handshake ended with. */
function health(base: string, client: { cert?: Issued; maxVersion?: SecureVersion }): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${base}/v1/sys/health`, {
      agent: false, rejectUnauthorized: false, maxVersion: client.maxVersion,
      ...(client.cert ? { cert: client.cert.cert, key: client.cert.key } : {}),
    }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

test('tls_min_version and a required client certificate hold at the handshake, and after a reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-client-certs-'));
  const clients = issue('clients CA', { ca: true });
  const other = issue('another CA', { ca: true });
  const server = issue('127.0.0.1', { ca: false });
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'clients.pem') };
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.key);
  writeFileSync(files.ca, clients.cert);
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, `listener "tcp" {
  address = "127.0.0.1:0"
  tls_cert_file = "${files.cert}"
  tls_key_file = "${files.key}"
  tls_min_version = "tls13"
  tls_require_and_verify_client_cert = true
  tls_client_ca_file = "${files.ca}"
}
storage "inmem" {}
log_level = "error"
`);
  const running = await runServer({ configPath, handleSignals: false, out: () => {} });
  try {
    const member = issue('enclave-host', { ca: false, issuer: clients });
    const stranger = issue('enclave-host', { ca: false, issuer: other });
    const expectations = async (when: string) => {
      // Not initialized: 501 is sys/health's answer, so the handshake got through.
      assert.equal(await health(running.address, { cert: member }), 501, `${when}: a client certificate from the CA`);
      assert.notEqual(typeof await health(running.address, {}), 'number', `${when}: no client certificate`);
      assert.notEqual(typeof await health(running.address, { cert: stranger }), 'number', `${when}: a certificate from another CA`);
      assert.notEqual(typeof await health(running.address, { cert: member, maxVersion: 'TLSv1.2' }), 'number', `${when}: TLS 1.2`);
    };
    await expectations('at start');
    // A reload replaces the secure context: the versions and the client CA must come with it.
    assert.deepEqual(await running.reload(), { ok: true, applied: ['tls'], restartRequired: [] });
    await expectations('after a reload');

    // A CA file with no certificate is refused whole; the listener keeps the one it has.
    writeFileSync(files.ca, 'not a certificate\n');
    assert.deepEqual(await running.reload(), { ok: false, applied: [], restartRequired: [], problem: 'tls' });
    await expectations('after a refused reload');
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
