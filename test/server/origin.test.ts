/**
 * Which browser requests are refused (server/origin.ts): an `Origin` other than Host under the
 * connection's scheme, and, on a plain HTTP connection, a Host naming the server by a name an
 * outsider's DNS decides (DNS rebinding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { browserRefusal, CROSS_ORIGIN_REFUSAL, isOwnHost, UNKNOWN_HOST_REFUSAL } from '../../src/server/origin.js';

const NAMES = new Set(['vault.example', 'build-host']);

function refusal(headers: Record<string, string>, tls = false): string | undefined {
  return browserRefusal({ headers, raw: { socket: tls ? { encrypted: true } : {} } } as unknown as FastifyRequest, NAMES);
}

test('no Origin, or this server\'s own under one of its names, is served', () => {
  assert.equal(refusal({ host: '127.0.0.1:8200' }), undefined);
  assert.equal(refusal({ host: 'evil.example:8200' }), undefined, 'no Origin: not a browser, nothing to rebind');
  assert.equal(refusal({ host: '127.0.0.1:8200', origin: 'http://127.0.0.1:8200' }), undefined);
  assert.equal(refusal({ host: 'Vault.Example', origin: 'https://vault.example' }, true), undefined);
  assert.equal(refusal({ host: '[::1]:8200', origin: 'http://[::1]:8200' }), undefined);
  assert.equal(refusal({ host: 'localhost:8200', origin: 'http://localhost:8200' }), undefined);
  assert.equal(refusal({ host: 'build-host:8200', origin: 'http://build-host:8200' }), undefined);
  // A plain listener behind a TLS-terminating proxy: the console's page is https.
  assert.equal(refusal({ host: 'vault.example', origin: 'https://vault.example' }), undefined);
});

test('another host, port or scheme, null, or an Origin without a Host is cross-origin', () => {
  const host = '127.0.0.1:8200';
  for (const origin of ['https://evil.example', 'http://127.0.0.1:8201', 'http://127.0.0.1', 'null', 'http://127.0.0.1:8200.evil.example', 'http://127.0.0.1:8200/', '']) {
    assert.equal(refusal({ host, origin }), CROSS_ORIGIN_REFUSAL, origin);
  }
  // A TLS listener is never reached from an http page.
  assert.equal(refusal({ host: 'vault.example', origin: 'http://vault.example' }, true), CROSS_ORIGIN_REFUSAL);
  assert.equal(refusal({ origin: 'http://127.0.0.1:8200' }), CROSS_ORIGIN_REFUSAL);
});

test('a page on a name the attacker points at this server (DNS rebinding) is refused over plain HTTP', () => {
  for (const host of ['evil.example:8200', 'evil.example', 'vault.example.evil.example:8200', 'sub.localhost:8200', '127.0.0.1.nip.io:8200']) {
    assert.equal(refusal({ host, origin: `http://${host}` }), UNKNOWN_HOST_REFUSAL, host);
    assert.equal(refusal({ host, origin: `https://${host}` }), UNKNOWN_HOST_REFUSAL, `${host} behind a proxy`);
  }
  // Over TLS the browser has matched the name against the server's certificate already.
  assert.equal(refusal({ host: 'evil.example:8200', origin: 'https://evil.example:8200' }, true), undefined);
});

test('own hosts: IP addresses, localhost and the given names, with or without a port', () => {
  for (const host of ['127.0.0.1', '10.1.2.3:8200', '[::1]', '[fe80::1]:8200', 'localhost', 'localhost.:8200', 'LOCALHOST:1', 'vault.example.', 'build-host']) {
    assert.equal(isOwnHost(host.toLowerCase(), NAMES), true, host);
  }
  for (const host of ['', ':8200', 'evil.example', '[::1', '[::1]x', '[evil.example]:8200', 'localhost:http', '127.1:8200', 'vault.example..']) {
    assert.equal(isOwnHost(host, NAMES), false, host);
  }
});
