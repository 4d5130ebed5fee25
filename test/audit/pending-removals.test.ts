/**
 * Disabling an audit device through the API is final only once the disable's response entry was
 * recorded by a remaining device; otherwise the device stays (never an error with the device gone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditManager } from '../../src/audit/manager.js';
import { readTable } from '../../src/audit/audit-table.js';
import type { AuditInput } from '../../src/audit/model.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { kvWriteInput, memorySinkFactory, silentLog } from './helpers.js';

async function setup() {
  const mem = memorySinkFactory();
  const storage = createMemoryStorage();
  const manager = createAuditManager({
    storage, clock: manualClock(1731627987000), log: silentLog, sinks: { memory: mem.factory },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false, blockTimeoutMs: 50 },
  });
  await manager.enable('gone', { type: 'memory' }, { source: 'api' });
  await manager.enable('other', { type: 'memory' }, { source: 'api' });
  return { manager, storage, gone: mem.sinks.get('gone/')!, other: mem.sinks.get('other/')! };
}

/** What the lifecycle does around `DELETE sys/audit/gone`: request entry, handler, response entry. */
async function disableThroughLifecycle(manager: Awaited<ReturnType<typeof setup>>['manager'], id: string, responseError?: string): Promise<void> {
  const input: AuditInput = { request: { id, operation: 'delete', path: 'sys/audit/gone', data: {}, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 }, operation: 'delete', timeNs: 1n };
  await manager.hooks.logRequest(input);
  await manager.disable('gone', { requestId: id });
  await manager.hooks.logResponse({ ...input, response: {}, error: responseError, timeNs: 2n });
}

const paths = (m: Awaited<ReturnType<typeof setup>>['manager']) => m.list().map((d) => d.path);
const ids = (lines: string[]) => lines.map((l) => /"id":"([^"]+)"/.exec(l)?.[1]);

test('with the other devices failing: the disable is refused and the device stays, persisted and recording', async () => {
  const { manager, storage, gone, other } = await setup();
  other.failWith = 'receiver down';
  await assert.rejects(disableThroughLifecycle(manager, 'del-1'), (err: unknown) => (err as { kind?: string }).kind === 'internal');
  assert.deepEqual(paths(manager), ['gone/', 'other/']);
  assert.deepEqual((await readTable(storage)).map((d) => d.path).sort(), ['gone/', 'other/']);
  assert.equal(gone.closed, false);
  // Still the device that records: the next request's entry lands in it.
  await manager.hooks.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'after' } });
  assert.deepEqual(ids(gone.lines).slice(-2), ['del-1', 'after']);
  // Management is not left locked.
  other.failWith = undefined;
  await disableThroughLifecycle(manager, 'del-2');
  assert.deepEqual(paths(manager), ['other/']);
});

test('with a remaining device that records: removed, persisted, closed; the response entry goes to the others only', async () => {
  const { manager, storage, gone, other } = await setup();
  await disableThroughLifecycle(manager, 'del-1');
  assert.deepEqual(paths(manager), ['other/']);
  assert.deepEqual((await readTable(storage)).map((d) => d.path), ['other/']);
  assert.equal(gone.closed, true);
  assert.deepEqual(ids(gone.lines).filter((i) => i === 'del-1'), ['del-1'], 'the removed device has the request entry only');
  assert.deepEqual(ids(other.lines).filter((i) => i === 'del-1'), ['del-1', 'del-1']);
});

test('a response entry carrying an error puts the device back', async () => {
  const { manager, gone } = await setup();
  await disableThroughLifecycle(manager, 'del-1', 'wrapping failed');
  assert.deepEqual(paths(manager), ['gone/', 'other/']);
  assert.equal(gone.closed, false);
});

test('the last device is removed at once: nothing remains to record the response (as in Vault)', async () => {
  const { manager, gone, other } = await setup();
  await manager.disable('other');
  await manager.disable('gone', { requestId: 'y' });
  assert.deepEqual(paths(manager), []);
  assert.equal(manager.hooks.enabled, false);
  assert.ok(gone.closed && other.closed);
});
