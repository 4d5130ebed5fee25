import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { environmentProblems } from '../../src/config/startup.js';
import { makePrivateCa } from '../helpers/tls-certs.js';

test('a listener serves TLS unless tls_disable = true; without certificate files it is refused', async () => {
  const files = 'tls_cert_file = "/etc/sealtrail/cert.pem"\n  tls_key_file = "/etc/sealtrail/key.pem"';
  assert.equal((await parseConfig(`listener "tcp" {\n  ${files}\n}\n`)).listener.tlsDisable, false);
  assert.equal((await parseConfig(`listener "tcp" {\n  ${files}\n  tls_disable = true\n}\n`)).listener.tlsDisable, true);
  // Neither certificate nor tls_disable: refused, never served in the clear unasked (as Vault).
  await assert.rejects(parseConfig('listener "tcp" {\n  address = "127.0.0.1:8200"\n}\n'), /tls_cert_file and tls_key_file are required unless tls_disable = true/);
  await assert.rejects(parseConfig('listener "tcp" {\n  tls_cert_file = "/etc/sealtrail/cert.pem"\n}\n'), /tls_cert_file and tls_key_file are required/);
});

test('TLS versions and client certificates take Vault\'s keys; what would weaken the listener is refused by name', async () => {
  const files = 'tls_cert_file = "/etc/sealtrail/cert.pem"\n  tls_key_file = "/etc/sealtrail/key.pem"';
  const listener = async (extra: string) => (await parseConfig(`listener "tcp" {\n  ${files}\n  ${extra}\n}\n`)).listener;
  const defaults = await listener('');
  assert.deepEqual([defaults.tlsMinVersion, defaults.tlsMaxVersion, defaults.tlsRequireClientCert, defaults.tlsClientCaFile], ['TLSv1.2', 'TLSv1.3', false, undefined]);
  const strict = await listener('tls_min_version = "tls13"\n  tls_require_and_verify_client_cert = true\n  tls_client_ca_file = "/etc/sealtrail/clients.pem"');
  assert.deepEqual([strict.tlsMinVersion, strict.tlsMaxVersion, strict.tlsRequireClientCert, strict.tlsClientCaFile], ['TLSv1.3', 'TLSv1.3', true, '/etc/sealtrail/clients.pem']);
  assert.equal((await listener('tls_max_version = "tls12"')).tlsMaxVersion, 'TLSv1.2');
  assert.equal((await listener('tls_disable_client_certs = true')).tlsRequireClientCert, false);

  await assert.rejects(listener('tls_min_version = "tls10"'), /listener\.tls_min_version "tls10" is not supported: TLS 1\.0 and 1\.1 are refused; use tls12 or tls13/);
  await assert.rejects(listener('tls_max_version = "tls11"'), /listener\.tls_max_version "tls11" is not supported/);
  await assert.rejects(listener('tls_min_version = "TLSv1.3"'), /listener\.tls_min_version must be one of tls12, tls13/);
  await assert.rejects(listener('tls_min_version = "tls13"\n  tls_max_version = "tls12"'), /tls_min_version must not be newer than listener\.tls_max_version/);
  await assert.rejects(listener('tls_require_and_verify_client_cert = true\n  tls_disable_client_certs = true'), /mutually exclusive/);
  await assert.rejects(listener('tls_require_and_verify_client_cert = "yes"'), /listener\.tls_require_and_verify_client_cert must be true or false/);
  await assert.rejects(listener('tls_cipher_suites = "TLS_AES_128_GCM_SHA256"'), /unknown key "tls_cipher_suites" in listener "tcp"/);
});

test('operator diagnose names a client CA file that is missing or holds no certificate', async () => {
  const ca = makePrivateCa();
  try {
    writeFileSync(join(ca.dir, 'empty-ca.pem'), 'no certificate here\n');
    const problemsWith = async (caFile: string) => (await environmentProblems(await parseConfig(`listener "tcp" {
  tls_cert_file = "${ca.server.cert}"
  tls_key_file = "${ca.server.key}"
  tls_client_ca_file = "${caFile}"
}\n`))).map((p) => p.message);
    assert.deepEqual(await problemsWith(ca.caCert), []);
    assert.deepEqual(await problemsWith(join(ca.dir, 'empty-ca.pem')), [`tls_client_ca_file ${join(ca.dir, 'empty-ca.pem')}: holds no PEM certificate`]);
    assert.deepEqual(await problemsWith(join(ca.dir, 'missing.pem')), [`tls_client_ca_file ${join(ca.dir, 'missing.pem')}: does not exist`]);
  } finally {
    ca.remove();
  }
});

test('X-Forwarded-For settings take Vault\'s keys and defaults; a block that is not one is named', async () => {
  const listener = async (extra: string) => (await parseConfig(`listener "tcp" {\n  tls_disable = true\n  ${extra}\n}\n`)).listener;
  assert.equal((await listener('')).forwardedFor, undefined);
  assert.deepEqual((await listener('x_forwarded_for_authorized_addrs = "10.0.0.0/8, 192.0.2.7,2001:db8::/32"')).forwardedFor,
    { authorizedAddrs: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'], hopSkips: 0, rejectNotAuthorized: true, rejectNotPresent: true });
  assert.deepEqual((await listener('x_forwarded_for_authorized_addrs = ["10.0.0.0/8"]\n  x_forwarded_for_hop_skips = 2\n  x_forwarded_for_reject_not_authorized = false\n  x_forwarded_for_reject_not_present = "false"')).forwardedFor,
    { authorizedAddrs: ['10.0.0.0/8'], hopSkips: 2, rejectNotAuthorized: false, rejectNotPresent: false });
  await assert.rejects(listener('x_forwarded_for_authorized_addrs = "10.0.0.0/33"'), /"10\.0\.0\.0\/33" is not an IP address or CIDR block/);
  await assert.rejects(listener('x_forwarded_for_authorized_addrs = "lb.internal"'), /"lb\.internal" is not an IP address or CIDR block/);
  await assert.rejects(listener('x_forwarded_for_authorized_addrs = " , "'), /names no address/);
  await assert.rejects(listener('x_forwarded_for_authorized_addrs = "10.0.0.0/8"\n  x_forwarded_for_hop_skips = -1'), /hop_skips must be an integer from 0 to 64/);
  await assert.rejects(listener('x_forwarded_for_hop_skips = 1'), /x_forwarded_for_hop_skips needs x_forwarded_for_authorized_addrs/);
});
