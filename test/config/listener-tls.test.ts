import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';

test('a listener serves TLS unless tls_disable = true; without certificate files it is refused', async () => {
  const files = 'tls_cert_file = "/etc/sealtrail/cert.pem"\n  tls_key_file = "/etc/sealtrail/key.pem"';
  assert.equal((await parseConfig(`listener "tcp" {\n  ${files}\n}\n`)).listener.tlsDisable, false);
  assert.equal((await parseConfig(`listener "tcp" {\n  ${files}\n  tls_disable = true\n}\n`)).listener.tlsDisable, true);
  // Neither certificate nor tls_disable: refused, never served in the clear unasked (as Vault).
  await assert.rejects(parseConfig('listener "tcp" {\n  address = "127.0.0.1:8200"\n}\n'), /tls_cert_file and tls_key_file are required unless tls_disable = true/);
  await assert.rejects(parseConfig('listener "tcp" {\n  tls_cert_file = "/etc/sealtrail/cert.pem"\n}\n'), /tls_cert_file and tls_key_file are required/);
});
