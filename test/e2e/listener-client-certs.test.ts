/**
 * The listener's TLS rules on a real server (config/listener-tls.ts): tls_min_version holds, and
 * with tls_require_and_verify_client_cert only a client certificate issued under
 * tls_client_ca_file gets through the handshake. Both still hold after a SIGHUP reload, which
 * replaces the listener's secure context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { runServer } from '../../src/app/run.js';
import { makePrivateCa, type IssuedPair } from '../helpers/tls-certs.js';

/** The status of GET sys/health over a new TLS connection, or the error the handshake ended with. */
function health(base: string, client: { cert?: IssuedPair; maxVersion?: SecureVersion }): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${base}/v1/sys/health`, {
      agent: false, rejectUnauthorized: false, maxVersion: client.maxVersion,
      ...(client.cert ? { cert: readFileSync(client.cert.cert), key: readFileSync(client.cert.key) } : {}),
    }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

test('tls_min_version and a required client certificate hold at the handshake, and after a reload', async () => {
  // The server's own certificate and the clients' come from one CA; another CA issues a stranger.
  const clients = makePrivateCa('clients CA');
  const other = makePrivateCa('another CA');
  const dir = clients.dir;
  const files = { cert: clients.server.cert, key: clients.server.key, ca: join(dir, 'trusted-clients.pem') };
  writeFileSync(files.ca, readFileSync(clients.caCert));
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
    const member = clients.client;
    const stranger = other.client;
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
    clients.remove();
    other.remove();
  }
});

test('a reload whose file no longer names tls_client_ca_file keeps the CA the server started with: trusting the public roots waits for a restart', async () => {
  const clients = makePrivateCa('clients CA');
  const other = makePrivateCa('another CA');
  const dir = clients.dir;
  const ca = join(dir, 'trusted-clients.pem');
  writeFileSync(ca, readFileSync(clients.caCert));
  const configPath = join(dir, 'config.hcl');
  const config = (caLine: string) => `listener "tcp" {
  address = "127.0.0.1:0"
  tls_cert_file = "${clients.server.cert}"
  tls_key_file = "${clients.server.key}"
  tls_require_and_verify_client_cert = true
${caLine}}
storage "inmem" {}
log_level = "error"
`;
  writeFileSync(configPath, config(`  tls_client_ca_file = "${ca}"\n`));
  const running = await runServer({ configPath, handleSignals: false, out: () => {} });
  try {
    writeFileSync(configPath, config(''));
    assert.deepEqual(await running.reload(), { ok: true, applied: ['tls'], restartRequired: ['listener'] });
    assert.equal(await health(running.address, { cert: clients.client }), 501, 'the CA the server started with still verifies');
    assert.notEqual(typeof await health(running.address, { cert: other.client }), 'number', 'a certificate from another CA is still refused');
  } finally {
    await running.close();
    clients.remove();
    other.remove();
  }
});
