import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditManager } from '../../src/audit/manager.js';
import { pathRouter, type BackendRequest, type MountEntry, type Operation } from '../../src/core/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { JsonNumber } from '../../src/lib/json-number.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { auditPaths } from '../../src/sys/audit.js';
import { memorySinkFactory, silentLog } from './helpers.js';

const sysMount = { table: 'secret', path: 'sys/', type: 'system' } as MountEntry;

function setup() {
  const mem = memorySinkFactory();
  const audit = createAuditManager({
    storage: createMemoryStorage(), clock: manualClock(0), log: silentLog, sinks: { memory: mem.factory },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false },
  });
  const router = pathRouter(auditPaths({ audit }));
  const call = (operation: Operation, path: string, data: Record<string, unknown> = {}) => {
    const logical = { id: 'x', operation, path: `sys/${path}`, data, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 };
    return router.handle({ logical, operation, path, data, mount: sysMount } as BackendRequest);
  };
  return { audit, call };
}

test('sys/audit: enable with mixed option types, list, hash, disable', async () => {
  const { call } = setup();
  assert.equal(await call('update', 'audit/mem', { type: 'memory', description: 'd', options: { hmac_accessor: false, n: 3, format: 'json' }, local: true }), undefined);
  assert.deepEqual(await call('read', 'audit'), {
    data: { 'mem/': { type: 'memory', description: 'd', options: { hmac_accessor: 'false', n: '3', format: 'json' }, local: true, path: 'mem/', delivery: 'confirmed', failing: false } },
  });
  const hashed = await call('update', 'audit-hash/mem', { input: 'foo' });
  assert.match(String((hashed?.data as { hash: string }).hash), /^hmac-sha256:[0-9a-f]{64}$/);
  // A number is hashed by its literal text, as Vault's field parser gives a string field.
  const textOf = async (input: unknown) => ((await call('update', 'audit-hash/mem', { input }))?.data as { hash: string }).hash;
  assert.equal(await textOf(1234), await textOf('1234'));
  assert.equal(await textOf(new JsonNumber('12345678901234567890')), await textOf('12345678901234567890'));
  await assert.rejects(call('update', 'audit-hash/mem', { input: { a: 1 } }), (e: unknown) => e instanceof SealtrailError && e.message === '"input" must be a string');
  await call('delete', 'audit/mem/');
  assert.deepEqual(await call('read', 'audit'), { data: {} });
});

test('sys/audit: bad bodies are refused', async () => {
  const { call } = setup();
  const invalid = (err: unknown) => err instanceof SealtrailError && err.kind === 'invalid';
  await assert.rejects(call('update', 'audit/mem', {}), invalid);
  await assert.rejects(call('update', 'audit/mem', { type: 'memory', options: { nested: { a: 1 } } }), invalid);
  await assert.rejects(call('update', 'audit/mem', { type: 'memory', options: 'x' }), invalid);
  await assert.rejects(call('update', 'audit-hash/none', { input: 'x' }), invalid);
});

test('sys/config/auditing/request-headers', async () => {
  const { call } = setup();
  await call('update', 'config/auditing/request-headers/X-Forwarded-For', { hmac: true });
  await call('update', 'config/auditing/request-headers/x-trace', {});
  assert.deepEqual(await call('read', 'config/auditing/request-headers'), {
    data: { headers: { 'x-forwarded-for': { hmac: true }, 'x-trace': { hmac: false } } },
  });
  assert.deepEqual(await call('read', 'config/auditing/request-headers/X-Trace'), { data: { 'x-trace': { hmac: false } } });
  await call('delete', 'config/auditing/request-headers/x-trace');
  await assert.rejects(call('read', 'config/auditing/request-headers/x-trace'), (e: unknown) => e instanceof SealtrailError && e.kind === 'invalid');
});
