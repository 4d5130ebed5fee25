import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditBroker } from '../../src/audit/broker.js';
import { createAuditDevice } from '../../src/audit/device.js';
import { createLineQueue } from '../../src/audit/devices/line-queue.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import type { AuditInput } from '../../src/audit/model.js';
import { SealtrailError } from '../../src/errors/index.js';
import { kvWriteInput, memorySink, recordingLog, silentLog, type MemorySink } from './helpers.js';

function dev(path: string, options: Record<string, string> = {}): { device: ReturnType<typeof createAuditDevice>; sink: MemorySink } {
  const sink = memorySink();
  const device = createAuditDevice({ path, type: 'memory', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: false }), sink);
  return { device, sink };
}

function broker(timeoutMs = 50, log: Parameters<typeof createAuditBroker>[0]['log'] = silentLog) {
  return createAuditBroker({ log, timeoutMs });
}

function sysInput(id = 's1'): AuditInput {
  return {
    request: { id, operation: 'read', path: 'sys/mounts', data: {}, clientToken: '', remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0 },
    operation: 'read', timeNs: 1n,
    mount: { table: 'secret', path: 'sys/', type: 'system', accessor: 'system_1', config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] } },
  };
}

const isNotRecorded = (err: unknown) => err instanceof SealtrailError && err.kind === 'internal' && err.code === 'audit_not_recorded';

test('no device: nothing to do, hooks disabled', async () => {
  const b = broker();
  assert.equal(b.enabled, false);
  await b.logRequest(kvWriteInput());
});

test('closed: every entry fails, even once its devices are removed (a closing server is not one without devices)', async () => {
  const b = broker();
  const a = dev('a/');
  b.add(a.device);
  b.close();
  b.remove('a/');
  assert.equal(b.enabled, true);
  await assert.rejects(b.logRequest(kvWriteInput()), isNotRecorded);
  await assert.rejects(b.logResponse(kvWriteInput()), isNotRecorded);
  assert.equal(a.sink.lines.length, 0);
  assert.match(b.metricsText(), /^sealtrail_audit_entries_unrecorded_total 2$/m);
});

test('one failing and one good device: success, failure counted', async () => {
  const b = broker();
  const good = dev('good/');
  const bad = dev('bad/');
  bad.sink.failWith = 'disk full';
  b.add(good.device);
  b.add(bad.device);
  await b.logRequest(kvWriteInput());
  assert.equal(good.sink.lines.length, 1);
  assert.deepEqual(b.health().failingDevices, ['bad/']);
  const m = b.metricsText();
  assert.match(m, /^sealtrail_audit_device_writes_total\{path="good\/",result="success"\} 1$/m);
  assert.match(m, /^sealtrail_audit_device_writes_total\{path="bad\/",result="failure"\} 1$/m);
  assert.match(m, /^sealtrail_audit_device_failing\{path="bad\/"\} 1$/m);
  assert.match(m, /^sealtrail_audit_device_write_seconds_count\{path="good\/"\} 1$/m);
});

test('every device failing: rejects with an internal error', async () => {
  const b = broker();
  const a = dev('a/');
  a.sink.failWith = 'connection refused';
  b.add(a.device);
  await assert.rejects(b.logRequest(kvWriteInput()), isNotRecorded);
  await assert.rejects(b.logResponse(kvWriteInput()), isNotRecorded);
  assert.match(b.metricsText(), /^sealtrail_audit_entries_unrecorded_total 2$/m);
});

test('a blocking device is released after the timeout, is not waited for again while another records, and keeps its order', async () => {
  const b = broker(50);
  const blocked = dev('blocked/');
  const good = dev('good/');
  blocked.sink.blocked = true;
  b.add(blocked.device);
  b.add(good.device);
  const started = performance.now();
  await b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'one' } });
  const second = performance.now();
  assert.ok(second - started >= 49, `the first entry waited ${second - started} ms`);
  await b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'two' } });
  assert.ok(performance.now() - second < 40, 'a device in a failure episode does not hold the next entry once another device recorded it');
  assert.deepEqual(b.health().failingDevices, ['blocked/']);
  b.remove('good/');
  // With no other device, the failing one is waited for again (bounded): it alone decides.
  const third = performance.now();
  await assert.rejects(b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'three' } }), isNotRecorded);
  assert.ok(performance.now() - third >= 49);
  assert.match(b.metricsText(), /^sealtrail_audit_device_writes_total\{path="blocked\/",result="timeout"\} 3$/m);
  blocked.sink.release();
  assert.deepEqual(blocked.sink.lines.map((l) => /"id":"(\w+)"/.exec(l)![1]), ['one', 'two', 'three']);
});

test('each write times out on its own deadline, and a late answer is not counted again', async () => {
  const b = broker(60);
  const blocked = dev('blocked/');
  blocked.sink.blocked = true;
  b.add(blocked.device);
  const started = performance.now();
  const when = (p: Promise<void>) => p.then(() => assert.fail('recorded'), (err: unknown) => { assert.ok(isNotRecorded(err)); return performance.now() - started; });
  const first = when(b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'one' } }));
  await new Promise((r) => setTimeout(r, 30));
  const secondStarted = performance.now() - started;
  const second = when(b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id: 'two' } }));
  const [firstAt, secondAt] = await Promise.all([first, second]);
  assert.ok(firstAt >= 59, `first timed out after ${firstAt} ms`);
  // Measured from its own start: a timer can only be late, and a late first answer moves firstAt.
  assert.ok(secondAt - secondStarted >= 59, `second timed out ${secondAt - secondStarted} ms after it started (${secondAt - firstAt} ms after the first)`);
  blocked.sink.release();
  await new Promise((r) => setTimeout(r, 10));
  assert.match(b.metricsText(), /^sealtrail_audit_device_writes_total\{path="blocked\/",result="timeout"\} 2$/m);
  assert.match(b.metricsText(), /^sealtrail_audit_device_writes_total\{path="blocked\/",result="success"\} 0$/m);
});

test('filter and fallback routing', async () => {
  const b = broker();
  const kvOnly = dev('kv/', { filter: 'mount_type == "kv"' });
  const fallback = dev('fallback/', { fallback: 'true' });
  b.add(kvOnly.device);
  b.add(fallback.device);
  await b.logRequest(kvWriteInput());
  await b.logRequest(sysInput());
  assert.equal(kvOnly.sink.lines.length, 1);
  assert.match(kvOnly.sink.lines[0], /"mount_type":"kv"/);
  assert.equal(fallback.sink.lines.length, 1);
  assert.match(fallback.sink.lines[0], /"path":"sys\/mounts"/);
  assert.match(b.metricsText(), /^sealtrail_audit_device_writes_total\{path="kv\/",result="filtered"\} 1$/m);

  // A failing fallback fails an entry only it should record.
  fallback.sink.failWith = 'down';
  await assert.rejects(b.logRequest(sysInput()), isNotRecorded);
  await b.logRequest(kvWriteInput());

  // Without a fallback, an entry every device filtered out is legitimately not recorded.
  b.remove('fallback/');
  await b.logRequest(sysInput());
  assert.equal(kvOnly.sink.lines.length, 2);
});

test('an unfiltered device takes everything; the fallback gets nothing', async () => {
  const b = broker();
  const all = dev('all/');
  const fallback = dev('fallback/', { fallback: 'true' });
  b.add(all.device);
  b.add(fallback.device);
  await b.logRequest(sysInput());
  assert.equal(all.sink.lines.length, 1);
  assert.equal(fallback.sink.lines.length, 0);
});

test('per-device order is kept under concurrent writes', async () => {
  const b = broker(1000);
  const slow = dev('slow/');
  const fast = dev('fast/');
  slow.sink.blocked = true;
  b.add(slow.device);
  b.add(fast.device);
  const ids = Array.from({ length: 40 }, (_, i) => `id${i}`);
  const all = Promise.all(ids.map((id) => b.logRequest({ ...kvWriteInput(), request: { ...kvWriteInput().request, id } })));
  setTimeout(() => slow.sink.release(), 5);
  await all;
  const order = (s: MemorySink) => s.lines.map((l) => /"id":"(\w+)"/.exec(l)![1]);
  assert.deepEqual(order(fast.sink), ids);
  assert.deepEqual(order(slow.sink), ids);
});

test('one warn line per failure episode, one info line on recovery, no entry contents', async () => {
  const log = recordingLog();
  const b = broker(50, log);
  const flaky = dev('flaky/');
  const good = dev('good/');
  b.add(flaky.device);
  b.add(good.device);
  flaky.sink.failWith = 'EPIPE';
  await b.logRequest(kvWriteInput());
  await b.logRequest(kvWriteInput());
  flaky.sink.failWith = undefined;
  await b.logRequest(kvWriteInput());
  await b.logRequest(kvWriteInput());
  flaky.sink.failWith = 'EPIPE';
  await b.logRequest(kvWriteInput());
  assert.deepEqual(log.lines.map((l) => `${l.level}:${(l.obj as { device: string }).device}`), ['warn:flaky/', 'info:flaky/', 'warn:flaky/']);
  const text = JSON.stringify(log.lines);
  for (const secret of ['s3cr3t', 'secret/data/app', 'hmac-sha256']) assert.ok(!text.includes(secret));
  assert.deepEqual(b.health().failingDevices, ['flaky/']);
});

/**
 * A device whose sink batches like the real ones (line-queue.ts): lines handed over in one turn
 * share one flush and one promise. `flush` decides each batch's fate.
 */
function batchingDev(path: string, flush: (lines: readonly string[]) => Promise<void>) {
  const batches: string[][] = [];
  const queue = createLineQueue((lines) => { batches.push([...lines]); return flush(lines); });
  const sink = { delivery: 'confirmed' as const, write: (line: string) => queue.push(line), reopen: async () => undefined, close: async () => undefined };
  const device = createAuditDevice({ path, type: 'memory', description: '', options: {}, local: false, salt: 'foo' },
    parseCommonOptions({}, { allowAuditLogPrefixing: false }), sink);
  return { device, batches };
}

const withId = (id: string): AuditInput => ({ ...kvWriteInput(), request: { ...kvWriteInput().request, id } });
const count = (b: ReturnType<typeof broker>, path: string, result: string) =>
  Number(new RegExp(`^sealtrail_audit_device_writes_total\\{path="${path}",result="${result}"\\} (\\d+)$`, 'm').exec(b.metricsText())![1]);

test('entries that share their devices\' batches settle together, and each one is counted', async () => {
  const b = broker(1000);
  const good = batchingDev('good/', async () => undefined);
  let failing = true;
  const flaky = batchingDev('flaky/', async () => { if (failing) throw new Error('EPIPE'); });
  b.add(good.device);
  b.add(flaky.device);

  // One turn, five entries: one batch per device, all five recorded by the good device.
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => b.logRequest(withId(id))));
  assert.deepEqual(good.batches.map((x) => x.length), [5]);
  assert.equal(count(b, 'good/', 'success'), 5);
  assert.equal(count(b, 'flaky/', 'failure'), 5);
  assert.match(b.metricsText(), /^sealtrail_audit_device_write_seconds_count\{path="good\/"\} 5$/m);

  // Both failing: every entry of the batch is refused and counted as unrecorded.
  b.remove('good/');
  const results = await Promise.allSettled(['f', 'g', 'h'].map((id) => b.logRequest(withId(id))));
  assert.ok(results.every((r) => r.status === 'rejected' && isNotRecorded(r.reason)));
  assert.match(b.metricsText(), /^sealtrail_audit_entries_unrecorded_total 3$/m);

  // Recovered: the next turn's entries are recorded again.
  failing = false;
  await Promise.all(['i', 'j'].map((id) => b.logRequest(withId(id))));
  assert.equal(count(b, 'flaky/', 'success'), 2);
  assert.deepEqual(flaky.batches.map((x) => x.length), [5, 3, 2]);
});

test('an entry that joins a batch after its group timed out still gets its own full timeout', async () => {
  const b = broker(60);
  let release!: () => void;
  const blocked = batchingDev('blocked/', (lines) => (lines.some((l) => l.includes('"id":"first"')) ? new Promise<void>((r) => { release = r; }) : Promise.resolve()));
  b.add(blocked.device);
  const started = performance.now();
  const rejectedAt = (p: Promise<void>) => p.then(() => assert.fail('recorded'), (err: unknown) => { assert.ok(isNotRecorded(err)); return performance.now() - started; });
  // `first` is flushed and blocks; `second` waits in the next batch, which stays open.
  const first = rejectedAt(b.logRequest(withId('first')));
  await new Promise((r) => setImmediate(r));
  const second = rejectedAt(b.logRequest(withId('second')));
  const secondAt = await second;
  assert.ok(secondAt >= 59, `second timed out after ${secondAt} ms`);
  // `third` lands in the same still-open batch as `second`, after that one's group timed out.
  const thirdStarted = performance.now() - started;
  const thirdAt = await rejectedAt(b.logRequest(withId('third')));
  assert.ok(thirdAt - thirdStarted >= 59, `third timed out ${thirdAt - thirdStarted} ms after it started`);
  await first;
  assert.equal(count(b, 'blocked/', 'timeout'), 3);
  release();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(blocked.batches.map((x) => x.map((l) => /"id":"(\w+)"/.exec(l)![1])), [['first'], ['second', 'third']]);
});

test('a replacement\'s test entry (writeTo a device not in the broker) leaves the device at that path alone', async () => {
  const log = recordingLog();
  const episodes: string[] = [];
  const b = createAuditBroker({ log, timeoutMs: 50, onEpisode: (path, failing) => episodes.push(`${path}:${failing}`) });
  const running = dev('a/');
  b.add(running.device);
  await b.logRequest(kvWriteInput());

  // A replacement that cannot record: its failure is the caller's error, not the running device's.
  const dead = dev('a/');
  dead.sink.failWith = 'ECONNREFUSED';
  await assert.rejects(b.writeTo(dead.device, kvWriteInput(), 'request'), /ECONNREFUSED/);
  assert.deepEqual(b.health().failingDevices, []);
  assert.equal(b.state('a/')!.failing, false);
  assert.equal(count(b, 'a/', 'failure'), 0);

  // The running device fails; a replacement's successful test entry does not end its episode.
  running.sink.failWith = 'EPIPE';
  await assert.rejects(b.logRequest(kvWriteInput()), isNotRecorded);
  await b.writeTo(dev('a/').device, kvWriteInput(), 'request');
  assert.deepEqual(b.health().failingDevices, ['a/']);
  assert.equal(count(b, 'a/', 'success'), 1);
  assert.deepEqual(episodes, ['a/:true']);
  assert.deepEqual(log.lines.map((l) => `${l.level}:${(l.obj as { reason?: string }).reason ?? ''}`), ['warn:EPIPE']);
});

test('a write still in flight when its device was replaced is not counted against the replacement', async () => {
  const b = broker(100);
  const old = dev('a/');
  old.sink.blocked = true;
  b.add(old.device);
  const inFlight = b.logRequest(kvWriteInput());
  b.remove('a/');
  const next = dev('a/');
  b.add(next.device);
  old.sink.failWith = 'EPIPE';
  await assert.rejects(inFlight, isNotRecorded);
  assert.deepEqual(b.health().failingDevices, []);
  assert.equal(count(b, 'a/', 'timeout') + count(b, 'a/', 'failure'), 0);
});

test('what a replaced device\'s connections lost stays counted at its path, once', async () => {
  const b = broker();
  const lossy = (connections: number) => {
    const d = dev('net/');
    d.sink.losses = () => ({ connections, abandonedEntries: 2 * connections, abandonedBytes: 100 * connections, possiblyLostEntries: 0, possiblyLostBytes: 0 });
    return d.device;
  };
  const old = lossy(1);
  b.add(old);
  const next = lossy(3);
  b.retire(next); // never added (a failed test entry): nothing to carry
  b.remove('net/');
  b.add(next);
  b.retire(old);
  b.retire(old);
  const m = b.metricsText();
  assert.match(m, /^sealtrail_audit_device_connections_lost_total\{path="net\/"\} 4$/m);
  assert.match(m, /^sealtrail_audit_device_abandoned_entries_total\{path="net\/"\} 8$/m);
  assert.match(m, /^sealtrail_audit_device_abandoned_bytes_total\{path="net\/"\} 400$/m);
  assert.deepEqual(b.health().lossyDevices, { 'net/': { connections: 4, abandonedEntries: 8, abandonedBytes: 400, possiblyLostEntries: 0, possiblyLostBytes: 0 } });
  assert.equal(b.state('net/')!.losses!.connections, 4);
  b.retire(next); // still the device at its path: nothing carried yet
  assert.equal(b.state('net/')!.losses!.connections, 4);
});
