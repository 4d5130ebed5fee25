/**
 * The refusals the real server cannot be driven into on demand, through the lifecycle itself with
 * stand-in services: a token whose last use another request spent meanwhile, and a response entry
 * no device records (fail-closed: 500, as for every other entry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLifecycle } from '../../src/core/lifecycle.js';
import { emptyMountConfig, type MountedBackend } from '../../src/core/mount-table.js';
import type { CoreServices } from '../../src/core/services.js';
import type { AuditInput, LogicalRequest, TokenEntry } from '../../src/core/index.js';
import { SealtrailError, permissionDenied } from '../../src/errors/index.js';
import { token as tokenEntry } from '../audit/helpers.js';

interface Written { kind: 'request' | 'response'; input: AuditInput }

function harness(opts: { use?: () => Promise<{ remainingUses: number }>; policyAllows?: boolean; failResponse?: boolean | Error; afterRecorded?: () => Promise<void> }) {
  const written: Written[] = [];
  const logged: string[] = [];
  let handled = 0;
  const route: MountedBackend = {
    prefix: 'secret/',
    entry: { table: 'secret', path: 'secret/', type: 'kv', description: '', accessor: 'kv_1', uuid: 'u', config: emptyMountConfig(), options: {}, local: false, sealWrap: false },
    backend: { handleRequest: async () => { handled++; return { data: { ok: true }, ...(opts.afterRecorded ? { afterRecorded: opts.afterRecorded } : {}) }; } },
  };
  const token: TokenEntry = { ...tokenEntry, numUses: 1 };
  const services = {
    audit: {
      hooks: {
        enabled: true,
        logRequest: async (input: AuditInput) => { written.push({ kind: 'request', input: { ...input } }); },
        logResponse: async (input: AuditInput) => {
          if (opts.failResponse) throw opts.failResponse instanceof Error ? opts.failResponse : new Error('no device took the entry');
          written.push({ kind: 'response', input });
        },
      },
    },
    tokens: { lookup: async () => token, use: opts.use ?? (async () => ({ remainingUses: 0 })), create: async () => assert.fail(), revokeOrphan: async () => undefined },
    policies: { acl: async () => ({ check: () => ({ allowed: opts.policyAllows ?? true, sudo: false, grantingPolicies: ['kv-read'] }), capabilities: () => [] }) },
    mounts: { route: (path: string) => (path.startsWith('secret/') ? route : undefined) },
    wrapping: {},
    close: async () => undefined,
  } as unknown as CoreServices;
  const deps = { clock: { now: () => 0, nowNs: () => 1n }, log: { error: (_o: object, msg: string) => void logged.push(msg) } };
  const req: LogicalRequest = {
    id: 'req-1', operation: 'read', path: 'secret/data/x', data: {}, clientToken: 'tok', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0,
  };
  return { written, logged, handledCount: () => handled, run: () => runLifecycle(req, services, deps as never) };
}

test('a last use spent by another request meanwhile: both entries, sharing the id, and the handler never runs', async () => {
  const h = harness({ use: async () => { throw permissionDenied(); } });
  await assert.rejects(h.run(), (err: unknown) => err instanceof SealtrailError && err.kind === 'permission');
  assert.deepEqual(h.written.map((w) => w.kind), ['request', 'response']);
  const [req, resp] = h.written.map((w) => w.input);
  assert.equal(req.request.id, 'req-1');
  assert.equal(resp.request.id, 'req-1');
  assert.equal(req.error, 'permission denied');
  assert.equal(resp.error, '1 error occurred:\n\t* permission denied\n\n');
  assert.deepEqual(resp.response?.data, { error: 'permission denied' });
  assert.deepEqual(resp.policyResults, { allowed: true, grantingPolicies: ['kv-read'] }, 'the ACL had allowed it');
  assert.equal(h.handledCount(), 0);
});

test('fail-closed: a refusal whose response entry no device records answers 500, not the refusal', async () => {
  const h = harness({ policyAllows: false, failResponse: true });
  await assert.rejects(h.run(), (err: unknown) => err instanceof SealtrailError && err.kind === 'internal');
  assert.deepEqual(h.written.map((w) => w.kind), ['request']);
  assert.deepEqual(h.written[0].input.policyResults, { allowed: false, grantingPolicies: [] });
  assert.equal(h.handledCount(), 0);
});

test('fail-closed: the log line says which case refused the request, as the audit broker told it', async () => {
  const cases: Array<[Error, string]> = [
    [new SealtrailError('internal', 'audit_not_recorded', 'the required audit device "mock/" did not record the response entry'),
      'audit: the required audit device "mock/" did not record the response entry; refusing the request'],
    [new SealtrailError('internal', 'audit_not_recorded', 'no audit device recorded the response entry'),
      'audit: no audit device recorded the response entry; refusing the request'],
    [new Error('unexpected'), 'audit: the response entry could not be recorded; refusing the request'],
  ];
  for (const [failure, line] of cases) {
    const h = harness({ failResponse: failure });
    await assert.rejects(h.run(), (err: unknown) => err instanceof SealtrailError && err.kind === 'internal');
    assert.deepEqual(h.logged, [line]);
  }
});

test('what had to follow a recorded answer failed: a second response entry carries the error, the client gets it', async () => {
  const h = harness({ afterRecorded: async () => { throw new SealtrailError('invalid', 'rekey_superseded', 'the rekey was superseded'); } });
  await assert.rejects(h.run(), (err: unknown) => err instanceof SealtrailError && err.code === 'rekey_superseded');
  assert.deepEqual(h.written.map((w) => w.kind), ['request', 'response', 'response']);
  const [, answered, failed] = h.written.map((w) => w.input);
  assert.equal(answered.error, undefined);
  assert.deepEqual(answered.response?.data, { ok: true });
  assert.equal(failed.request.id, 'req-1', 'the same request');
  assert.match(failed.error ?? '', /superseded/);
});
