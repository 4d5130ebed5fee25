import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announceSession, httpMethodOf } from '../../src/core/sessions.js';
import type { CoreServices as Services } from '../../src/core/services.js';
import type { Backend, LogicalRequest, MountEntry, SessionStart, TokenEntry } from '../../src/core/index.js';

const token = { accessor: 'acc-1', policies: ['default', 'writer'] } as TokenEntry;
const issuer = { path: 'auth/apm/' } as MountEntry;
const req = { path: 'auth/apm/v0/attest/nitro/auth', operation: 'update', method: 'PUT' } as LogicalRequest;

function services(backends: Record<string, Backend>, revoked: string[]): Services {
  const mounted = (path: string) => ({ entry: { path } as MountEntry, prefix: path, backend: backends[path] });
  return {
    mounts: { list: () => Object.keys(backends).map((path) => ({ path })), get: (_t: string, path: string) => mounted(path) },
    policies: { acl: async () => ({ check: () => ({ allowed: false, sudo: false, capabilities: [] }), capabilities: (p: string) => (p.startsWith('capsule/') ? ['update'] : []) }) },
    tokens: { revokeOrphan: async (e: TokenEntry) => void revoked.push(e.accessor) },
  } as unknown as Services;
}

test('every engine that asks is told of a login, with what the token may do on its own mount', async () => {
  const seen: Array<[string, boolean, string, string, string]> = [];
  const listener = (name: string): Backend => ({
    handleRequest: async () => undefined,
    onSessionStart: async (e: SessionStart) => void seen.push([name, e.may('encapsulate'), e.issuer, e.url, e.method]),
  });
  const revoked: string[] = [];
  await announceSession(token, issuer, req, services({ 'capsule/': listener('capsule'), 'other/': listener('other'), 'kv/': { handleRequest: async () => undefined } }, revoked));
  assert.deepEqual(seen, [
    ['capsule', true, 'auth/apm/', '/v1/auth/apm/v0/attest/nitro/auth', 'PUT'],
    ['other', false, 'auth/apm/', '/v1/auth/apm/v0/attest/nitro/auth', 'PUT'],
  ]);
  assert.deepEqual(revoked, []);
});

test('an engine that cannot record the session start fails the login and the new token is revoked', async () => {
  const revoked: string[] = [];
  const failing: Backend = { handleRequest: async () => undefined, onSessionStart: async () => { throw new Error('disk full'); } };
  await assert.rejects(announceSession(token, issuer, req, services({ 'capsule/': failing }, revoked)), /disk full/);
  assert.deepEqual(revoked, ['acc-1']);
});

test('a request that did not come over HTTP is named by the method Vault uses for its operation', () => {
  const of = (operation: string, method?: string) => httpMethodOf({ operation, method } as LogicalRequest);
  assert.deepEqual([of('read'), of('list'), of('delete'), of('patch'), of('update'), of('create'), of('update', 'PUT')], ['GET', 'LIST', 'DELETE', 'PATCH', 'POST', 'POST', 'PUT']);
});
