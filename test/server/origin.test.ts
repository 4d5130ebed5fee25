/** Which `Origin` is this server's own (server/origin.ts): Host under the connection's scheme. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { isCrossOrigin } from '../../src/server/origin.js';

function request(headers: Record<string, string>, tls = false): FastifyRequest {
  return { headers, raw: { socket: tls ? { encrypted: true } : {} } } as unknown as FastifyRequest;
}

test('no Origin, or this server\'s own, is not cross-origin', () => {
  assert.equal(isCrossOrigin(request({ host: '127.0.0.1:8200' })), false);
  assert.equal(isCrossOrigin(request({ host: '127.0.0.1:8200', origin: 'http://127.0.0.1:8200' })), false);
  assert.equal(isCrossOrigin(request({ host: 'Vault.Example', origin: 'https://vault.example' }, true)), false);
  assert.equal(isCrossOrigin(request({ host: '[::1]:8200', origin: 'http://[::1]:8200' })), false);
  // A plain listener behind a TLS-terminating proxy: the console's page is https.
  assert.equal(isCrossOrigin(request({ host: 'vault.example', origin: 'https://vault.example' })), false);
});

test('another host, port or scheme, null, or an Origin without a Host is cross-origin', () => {
  const host = '127.0.0.1:8200';
  for (const origin of ['https://evil.example', 'http://127.0.0.1:8201', 'http://127.0.0.1', 'null', 'http://127.0.0.1:8200.evil.example', 'http://127.0.0.1:8200/', '']) {
    assert.equal(isCrossOrigin(request({ host, origin })), true, origin);
  }
  // A TLS listener is never reached from an http page.
  assert.equal(isCrossOrigin(request({ host: 'vault.example', origin: 'http://vault.example' }, true)), true);
  assert.equal(isCrossOrigin(request({ origin: 'http://127.0.0.1:8200' })), true);
});
