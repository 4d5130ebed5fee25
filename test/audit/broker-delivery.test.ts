/**
 * The broker's delivery rule: while a device the entry goes to confirms delivery, only a
 * confirming device's success acknowledges it; a `sent` device's success alone counts only when
 * no confirming device was to receive the entry, and that is counted and shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditBroker, NO_CONFIRMING_DEVICE } from '../../src/audit/broker.js';
import { createAuditDevice } from '../../src/audit/device.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import type { AuditInput } from '../../src/audit/model.js';
import type { DeliveryLosses } from '../../src/audit/devices/types.js';
import { SealtrailError } from '../../src/errors/index.js';
import { kvWriteInput, memorySink, recordingLog } from './helpers.js';

function dev(path: string, delivery: 'confirmed' | 'sent', options: Record<string, string> = {}, losses?: DeliveryLosses) {
  const sink = Object.assign(memorySink(), { delivery, ...(losses ? { losses: () => losses } : {}) });
  const device = createAuditDevice({ path, type: 'memory', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: false }), sink);
  return { device, sink };
}

const isNotRecorded = (err: unknown) => err instanceof SealtrailError && err.kind === 'internal' && err.code === 'audit_not_recorded';
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)![1]);
const sysInput = (): AuditInput => ({ ...kvWriteInput(), mount: { ...kvWriteInput().mount!, type: 'system', path: 'sys/' } });

test('with a confirming device enabled, a sent device\'s success alone does not acknowledge an entry', async () => {
  const b = createAuditBroker({ log: recordingLog(), timeoutMs: 50 });
  const file = dev('file/', 'confirmed');
  const socket = dev('socket/', 'sent');
  b.add(file.device);
  b.add(socket.device);

  file.sink.failWith = 'disk full';
  await assert.rejects(b.logRequest(kvWriteInput()), (err: unknown) => isNotRecorded(err) && /confirms delivery/.test((err as Error).message));
  assert.equal(socket.sink.lines.length, 1, 'the socket device did send it');

  file.sink.failWith = undefined;
  socket.sink.failWith = 'EPIPE';
  await b.logResponse(kvWriteInput());
  const m = b.metricsText();
  assert.equal(metric(m, 'sealtrail_audit_entries_unrecorded_total'), 1);
  assert.equal(metric(m, 'sealtrail_audit_entries_unconfirmed_total'), 0);
  assert.equal(metric(m, 'sealtrail_audit_confirming_devices'), 1);
  assert.match(m, /^sealtrail_audit_device_delivery\{path="socket\/",delivery="sent"\} 1$/m);
  assert.match(m, /^sealtrail_audit_device_delivery\{path="file\/",delivery="confirmed"\} 1$/m);
  assert.equal(b.health().deliveryConfirmed, true);
  assert.deepEqual(b.health().warnings, []);
});

test('with no confirming device a sent success acknowledges, is counted, warned about once and shown by health', async () => {
  const log = recordingLog();
  const b = createAuditBroker({ log, timeoutMs: 50 });
  const socket = dev('socket/', 'sent');
  b.add(socket.device);
  assert.deepEqual(log.lines.map((l) => [l.level, l.msg]), [['warn', NO_CONFIRMING_DEVICE]]);
  await b.logRequest(kvWriteInput());
  await b.logResponse(kvWriteInput());
  assert.equal(metric(b.metricsText(), 'sealtrail_audit_entries_unconfirmed_total'), 2);
  assert.equal(metric(b.metricsText(), 'sealtrail_audit_confirming_devices'), 0);
  assert.deepEqual(b.health(), { failingDevices: [], lossyDevices: {}, deliveryConfirmed: false, warnings: [NO_CONFIRMING_DEVICE] });

  socket.sink.failWith = 'ECONNREFUSED';
  await assert.rejects(b.logRequest(kvWriteInput()), isNotRecorded);

  b.add(dev('file/', 'confirmed').device);
  assert.deepEqual(log.lines.map((l) => l.level), ['warn', 'warn', 'info'], 'enabling a confirming device ends the warning');
  assert.equal(b.health().deliveryConfirmed, true);
  b.remove('file/');
  assert.equal(log.lines.filter((l) => l.msg === NO_CONFIRMING_DEVICE).length, 2);
});

test('an entry a confirming device filters out is acknowledged on a sent device, and counted as unconfirmed', async () => {
  const b = createAuditBroker({ log: recordingLog(), timeoutMs: 50 });
  const kvFile = dev('file/', 'confirmed', { filter: 'mount_type == "kv"' });
  const socket = dev('socket/', 'sent');
  b.add(kvFile.device);
  b.add(socket.device);
  await b.logRequest(sysInput());
  assert.equal(kvFile.sink.lines.length, 0);
  assert.equal(metric(b.metricsText(), 'sealtrail_audit_entries_unconfirmed_total'), 1);
  kvFile.sink.failWith = 'disk full';
  await assert.rejects(b.logRequest(kvWriteInput()), isNotRecorded);
});

test('a network device\'s lost connections are in metrics and health', async () => {
  const losses: DeliveryLosses = { connections: 2, abandonedEntries: 3, abandonedBytes: 300, possiblyLostEntries: 40, possiblyLostBytes: 4000 };
  const b = createAuditBroker({ log: recordingLog(), timeoutMs: 50 });
  b.add(dev('file/', 'confirmed').device);
  b.add(dev('net/', 'sent', {}, losses).device);
  b.add(dev('quiet/', 'sent', {}, { connections: 0, abandonedEntries: 0, abandonedBytes: 0, possiblyLostEntries: 0, possiblyLostBytes: 0 }).device);
  const m = b.metricsText();
  assert.match(m, /^sealtrail_audit_device_connections_lost_total\{path="net\/"\} 2$/m);
  assert.match(m, /^sealtrail_audit_device_abandoned_entries_total\{path="net\/"\} 3$/m);
  assert.match(m, /^sealtrail_audit_device_abandoned_bytes_total\{path="net\/"\} 300$/m);
  assert.match(m, /^sealtrail_audit_device_possibly_lost_entries_total\{path="net\/"\} 40$/m);
  assert.match(m, /^sealtrail_audit_device_possibly_lost_bytes_total\{path="net\/"\} 4000$/m);
  assert.match(m, /^sealtrail_audit_device_connections_lost_total\{path="quiet\/"\} 0$/m);
  assert.doesNotMatch(m, /connections_lost_total\{path="file\/"/);
  assert.deepEqual(b.health().lossyDevices, { 'net/': losses });
});
