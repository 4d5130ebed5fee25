import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDevicesNotEnabled } from '../../src/audit/config-failures.js';
import { sinkFactories } from '../../src/audit/devices/index.js';
import { createAuditManager, type AuditManagerDeps, type ConfigDeviceDeclaration } from '../../src/audit/manager.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import type { SinkFactory } from '../../src/audit/devices/types.js';
import { kvWriteInput, memorySink, memorySinkFactory, silentLog } from './helpers.js';
import { freePort } from '../helpers/ports.js';

function setup(settings: Partial<AuditManagerDeps['settings']> = {}, storage: Storage = createMemoryStorage()) {
  const mem = memorySinkFactory();
  const manager = createAuditManager({
    storage, clock: manualClock(1731627987000), log: silentLog, sinks: { memory: mem.factory },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false, blockTimeoutMs: 50, ...settings },
  });
  return { manager, storage, sinks: mem.sinks };
}

const api = { source: 'api' as const };
const code = (c: string, kind = 'invalid') => (err: unknown) => {
  assert.ok(err instanceof SealtrailError, String(err));
  assert.equal(err.code, c);
  assert.equal(err.kind, kind);
  return true;
};

test('enable writes a test entry, lists, audits, and disable removes', async () => {
  const { manager, sinks } = setup();
  assert.equal(manager.hooks.enabled, false);
  await manager.enable('mem', { type: 'memory', description: 'in memory', options: { format: 'json' } }, api);
  const sink = sinks.get('mem/')!;
  assert.equal(sink.lines.length, 1);
  assert.match(sink.lines[0], /"type":"request".*"operation":"update".*"path":"sys\/audit\/test"/);
  assert.deepEqual(manager.list(), [{ path: 'mem/', type: 'memory', description: 'in memory', options: { format: 'json' }, local: false, source: 'api', delivery: 'confirmed', failing: false }]);
  assert.equal(manager.hooks.enabled, true);
  await manager.hooks.logRequest(kvWriteInput());
  assert.equal(sink.lines.length, 2);
  await manager.disable('mem/');
  assert.deepEqual(manager.list(), []);
  assert.equal(sink.closed, true);
  assert.equal(manager.hooks.enabled, false);
  await manager.disable('mem/'); // unknown path: no-op, as Vault
});

test('the salt is persisted and survives a reload; re-enabling creates a new one', async () => {
  const first = setup();
  await first.manager.enable('mem/', { type: 'memory' }, api);
  const h1 = first.manager.hash('mem', 'foo');
  assert.match(h1, /^hmac-sha256:[0-9a-f]{64}$/);

  const second = setup({}, first.storage);
  await second.manager.load();
  assert.equal(second.manager.hash('mem/', 'foo'), h1);
  assert.deepEqual(second.manager.list().map((d) => d.path), ['mem/']);

  await second.manager.disable('mem/');
  await second.manager.enable('mem/', { type: 'memory' }, api);
  assert.notEqual(second.manager.hash('mem/', 'foo'), h1);
});

test('API creation refused without allow_api_audit_creation', async () => {
  const { manager, storage } = setup({ allowApiAuditCreation: false });
  await assert.rejects(manager.enable('mem', { type: 'memory' }, api), (err: unknown) => {
    code('audit_api_creation_disabled', 'permission')(err);
    assert.match((err as Error).message, /allow_api_audit_creation/);
    return true;
  });
  assert.deepEqual((storage as ReturnType<typeof createMemoryStorage>).keys(), []);
  // The configuration file is still allowed to declare devices.
  await manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }]);
  assert.deepEqual(manager.list().map((d) => [d.path, d.source]), [['cfg/', 'config']]);
});

test('prefix refused unless allow_audit_log_prefixing', async () => {
  const off = setup();
  await assert.rejects(off.manager.enable('mem', { type: 'memory', options: { prefix: '#!/bin/sh\n' } }, api), (err: unknown) => {
    code('audit_prefix_not_allowed')(err);
    assert.match((err as Error).message, /allow_audit_log_prefixing.*CVE-2025-6000.*CVE-2025-54997/);
    return true;
  });
  const on = setup({ allowAuditLogPrefixing: true });
  await on.manager.enable('mem', { type: 'memory', options: { prefix: '@cee: ' } }, api);
  assert.ok(on.sinks.get('mem/')!.lines[0].startsWith('@cee: {"time"'));
});

test('paths: duplicates and prefix overlaps refused, unknown type and bad options refused', async () => {
  const { manager } = setup();
  await manager.enable('file', { type: 'memory' }, api);
  await assert.rejects(manager.enable('file/', { type: 'memory' }, api), code('audit_path_in_use'));
  await assert.rejects(manager.enable('file/x', { type: 'memory' }, api), code('audit_path_overlap'));
  await assert.rejects(manager.enable('other', { type: 'nope' }, api), code('unknown_audit_type'));
  await assert.rejects(manager.enable('other', { type: 'memory', options: { format: 'xml' } }, api), code('invalid_audit_option'));
  await assert.rejects(manager.enable('other', { type: 'memory', options: { log_raw: 'maybe' } }, api), code('invalid_audit_option'));
  await assert.rejects(manager.enable('other', { type: 'memory', options: { filter: 'path ==' } }, api), code('invalid_audit_filter'));
  await assert.rejects(manager.enable('../x', { type: 'memory' }, api), code('invalid_audit_path'));
  await manager.enable('fb1', { type: 'memory', options: { fallback: 'true' } }, api);
  await assert.rejects(manager.enable('fb2', { type: 'memory', options: { fallback: 'true' } }, api), code('invalid_audit_option'));
  assert.deepEqual(manager.list().map((d) => d.path), ['fb1/', 'file/']);
});

test('a device that cannot record its test entry is not enabled and not persisted', async () => {
  const { manager, storage, sinks } = setup();
  await assert.rejects(manager.enable('mem', { type: 'memory', options: { fail: 'no space left on device' } }, api), (err: unknown) => {
    code('audit_test_entry_failed')(err);
    assert.match((err as Error).message, /"mem\/" could not record its test entry.*no space left on device/);
    return true;
  });
  assert.deepEqual(manager.list(), []);
  assert.equal(sinks.get('mem/')!.closed, true);
  const reloaded = setup({}, storage);
  await reloaded.manager.load();
  assert.deepEqual(reloaded.manager.list(), []);
});

test('a test entry failing for want of descriptors or memory is the server\'s failure (503), not the request\'s (400)', async () => {
  const { manager, storage, sinks } = setup();
  const shortages: [string, RegExp][] = [['EMFILE', /out of file descriptors \(EMFILE\)/], ['ENFILE', /out of file descriptors \(ENFILE\)/], ['ENOMEM', /out of memory \(ENOMEM\)/]];
  for (const [errno, said] of shortages) {
    await assert.rejects(manager.enable('net', { type: 'memory', options: { fail: `write failed: ${errno}`, fail_code: errno } }, api), (err: unknown) => {
      code('audit_server_resources', 'unavailable')(err);
      assert.match((err as Error).message, /^audit device "net\/" could not record its test entry, so it was not enabled: /);
      assert.match((err as Error).message, said);
      return true;
    });
    assert.equal(sinks.get('net/')!.closed, true);
  }
  await assert.rejects(manager.enable('net', { type: 'memory', options: { fail: 'write failed: EACCES', fail_code: 'EACCES' } }, api), code('audit_test_entry_failed'));
  assert.deepEqual(manager.list(), []);
  assert.deepEqual((storage as ReturnType<typeof createMemoryStorage>).keys(), []);
});

test('the test entry passes through the filter: written when kept, skipped when excluded (as in Vault)', async () => {
  const { manager, sinks } = setup();
  await manager.enable('kept', { type: 'memory', options: { filter: 'path == sys/audit/test and mount_type is empty' } }, api);
  assert.equal(sinks.get('kept/')!.lines.length, 1);
  await assert.rejects(
    manager.enable('kept-failing', { type: 'memory', options: { filter: 'operation == update', fail: 'disk full' } }, api),
    code('audit_test_entry_failed'),
  );
  await manager.enable('kv', { type: 'memory', options: { filter: 'mount_type == kv' } }, api);
  assert.equal(sinks.get('kv/')!.lines.length, 0);
  assert.deepEqual(manager.list().map((d) => d.path), ['kept/', 'kv/']);
});

test('config devices: applied, immutable via the API, salt kept across restarts, removed when undeclared', async () => {
  const first = setup();
  await first.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: { hmac_accessor: 'false' } }]);
  const h = first.manager.hash('cfg/', 'foo');
  await assert.rejects(first.manager.disable('cfg'), code('audit_device_from_config'));
  await assert.rejects(first.manager.enable('cfg', { type: 'memory' }, api), code('audit_device_from_config'));

  const restarted = setup({}, first.storage);
  await restarted.manager.load();
  await restarted.manager.applyConfigDevices([{ path: 'cfg/', type: 'memory', options: { hmac_accessor: 'false' } }]);
  assert.equal(restarted.manager.hash('cfg', 'foo'), h);
  const sink = restarted.sinks.get('cfg/')!;

  // SIGHUP with the same declaration keeps the device; a changed one is rebuilt with its salt.
  await restarted.manager.applyConfigDevices([{ path: 'cfg/', type: 'memory', options: { hmac_accessor: 'false' } }]);
  assert.equal(restarted.sinks.get('cfg/'), sink);
  await restarted.manager.applyConfigDevices([{ path: 'cfg/', type: 'memory', options: {} }]);
  assert.notEqual(restarted.sinks.get('cfg/'), sink);
  assert.equal(sink.closed, true);
  assert.equal(restarted.manager.hash('cfg', 'foo'), h);

  await restarted.manager.applyConfigDevices([]);
  assert.deepEqual(restarted.manager.list(), []);
  await restarted.manager.applyConfigDevices([{ path: 'cfg/', type: 'memory' }]);
  assert.notEqual(restarted.manager.hash('cfg', 'foo'), h);
});

test('a declared device records nothing under a salt the storage did not keep: audit-hash matches its entries after a restart', async () => {
  const base = createMemoryStorage();
  let saltsRefused = false;
  const storage: Storage = {
    ...base,
    put: (key, value) => (saltsRefused && key === 'config-salts' ? Promise.reject(new Error('disk I/O error')) : base.put(key, value)),
  };
  const first = setup({}, storage);
  await first.manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }]);
  // A SIGHUP declares a second device while the storage refuses the salts' record.
  saltsRefused = true;
  await assert.rejects(first.manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }, { path: 'late', type: 'memory' }]));
  await first.manager.hooks.logRequest(kvWriteInput());
  const late = first.sinks.get('late/');
  const recorded = late ? late.lines.length : 0;
  saltsRefused = false;

  const restarted = setup({}, storage);
  await restarted.manager.load();
  await restarted.manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }, { path: 'late', type: 'memory' }]);
  if (recorded > 0) assert.equal(restarted.manager.hash('late', 'foo'), first.manager.hash('late', 'foo'), 'the salt the entries were hashed with is the one kept');
  assert.equal(restarted.manager.hash('cfg', 'foo'), first.manager.hash('cfg', 'foo'));
});

test('a reload whose changed device cannot open keeps the device that worked, and its salt', async () => {
  const first = setup();
  await first.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: { hmac_accessor: 'false' } }]);
  const h = first.manager.hash('cfg/', 'foo');
  const sink = first.sinks.get('cfg/')!;

  // The operator's typo: the changed declaration's device cannot record (an unopenable file).
  await assert.rejects(first.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: { fail: 'ENOENT: no such directory' } }]), code('audit_test_entry_failed'));
  assert.deepEqual(first.manager.list().map((d) => [d.path, d.options]), [['cfg/', { hmac_accessor: 'false' }]], 'the working device stays');
  assert.equal(sink.closed, false);
  assert.deepEqual(first.manager.health().failingDevices, [], 'the replacement\'s failed test entry is not the working device\'s');
  assert.match(first.manager.metricsText(), /^sealtrail_audit_device_writes_total\{path="cfg\/",result="failure"\} 0$/m);
  const before = sink.lines.length;
  await first.manager.hooks.logRequest(kvWriteInput());
  assert.equal(sink.lines.length, before + 1, 'and goes on recording');
  assert.equal(first.manager.hash('cfg', 'foo'), h);

  // Fixed: the device is replaced, with the same salt, also after a restart.
  const restarted = setup({}, first.storage);
  await restarted.manager.load();
  await restarted.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: {} }]);
  assert.equal(restarted.manager.hash('cfg', 'foo'), h);

  // A declared device that cannot open at all keeps its salt for when it can.
  const third = setup({}, first.storage);
  await third.manager.load();
  await assert.rejects(third.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: { fail: 'EACCES' } }]), code('audit_test_entry_failed'));
  await third.manager.applyConfigDevices([{ path: 'cfg', type: 'memory', options: {} }]);
  assert.equal(third.manager.hash('cfg', 'foo'), h, 'the salt outlived the failed start');
});

test('a device replaced by a reload keeps what closing its connection lost counted at its path', async () => {
  // A network device whose close abandons a connection with entries on it (net/sender.ts).
  const factory: SinkFactory = async () => {
    const sink = memorySink();
    let lost = 0;
    sink.losses = () => ({ connections: lost, abandonedEntries: 16 * lost, abandonedBytes: 4_194_304 * lost, possiblyLostEntries: 0, possiblyLostBytes: 0 });
    sink.close = async () => { lost++; };
    return sink;
  };
  const manager = createAuditManager({
    storage: createMemoryStorage(), clock: manualClock(1731627987000), log: silentLog, sinks: { net: factory },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false, blockTimeoutMs: 50 },
  });
  await manager.applyConfigDevices([{ path: 'siem', type: 'net', options: { required: 'true' } }]);
  await manager.applyConfigDevices([{ path: 'siem', type: 'net', options: {} }]);
  assert.deepEqual(manager.health().lossyDevices, { 'siem/': { connections: 1, abandonedEntries: 16, abandonedBytes: 4_194_304, possiblyLostEntries: 0, possiblyLostBytes: 0 } });
  assert.match(manager.metricsText(), /^sealtrail_audit_device_abandoned_bytes_total\{path="siem\/"\} 4194304$/m);
  assert.equal(manager.list()[0].losses?.connections, 1);
  await manager.applyConfigDevices([{ path: 'siem', type: 'net', options: { required: 'true' } }]);
  assert.equal(manager.health().lossyDevices['siem/'].connections, 2);
});

test('a required device a reload cannot enable refuses every request, and counts failing, until it is enabled or no longer declared', async () => {
  const episodes: string[] = [];
  const mem = memorySinkFactory();
  const manager = createAuditManager({
    storage: createMemoryStorage(), clock: manualClock(1731627987000), log: silentLog, sinks: { memory: mem.factory },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false, blockTimeoutMs: 50 },
    onEpisode: (device, failing) => void episodes.push(`${device} ${failing ? 'failing' : 'recovered'}`),
  });
  await manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }]);
  const declared = [{ path: 'cfg', type: 'memory' }, { path: 'req', type: 'memory', options: { required: 'true', fail: 'ECONNREFUSED' } }];
  await assert.rejects(manager.applyConfigDevices(declared), code('audit_test_entry_failed'));

  const before = mem.sinks.get('cfg/')!.lines.length;
  await assert.rejects(manager.hooks.logRequest(kvWriteInput()), (err: unknown) => {
    code('audit_not_recorded', 'internal')(err);
    assert.equal((err as Error).message, 'the required audit device "req/" did not record the request entry: it could not be enabled');
    return true;
  });
  assert.equal(mem.sinks.get('cfg/')!.lines.length, before + 1, 'the enabled device still has the attempt');
  assert.deepEqual(manager.health().failingDevices, ['req/']);
  assert.match(manager.metricsText(), /^sealtrail_audit_device_failing\{path="req\/"\} 1$/m);
  assert.deepEqual(manager.list().map((d) => d.path), ['cfg/'], 'not listed: it is not enabled');
  await assert.rejects(manager.enable('req', { type: 'memory' }, api), code('audit_device_from_config'));
  await assert.rejects(manager.enable('req/x', { type: 'memory' }, api), code('audit_path_overlap'));

  // The same file again, once the device opens: it is enabled and requests are served.
  await manager.applyConfigDevices([declared[0], { path: 'req', type: 'memory', options: { required: 'true' } }]);
  await manager.hooks.logRequest(kvWriteInput());
  assert.deepEqual(manager.health().failingDevices, []);

  // Failing again, then no longer declared: requests are served without it.
  await assert.rejects(manager.applyConfigDevices([declared[0], { path: 'other', type: 'memory', options: { required: 'true', fail: 'EACCES' } }]));
  await assert.rejects(manager.hooks.logResponse(kvWriteInput()), code('audit_not_recorded', 'internal'));
  await manager.applyConfigDevices([declared[0]]);
  await manager.hooks.logResponse(kvWriteInput());
  assert.deepEqual(manager.health().failingDevices, []);
  assert.doesNotMatch(manager.metricsText(), /path="other\/"/);
  assert.deepEqual(episodes, ['req/ failing', 'req/ recovered', 'other/ failing', 'other/ recovered']);

  // A device that is not required and cannot be enabled leaves requests served, as before.
  await assert.rejects(manager.applyConfigDevices([declared[0], { path: 'optional', type: 'memory', options: { fail: 'EACCES' } }]));
  await manager.hooks.logRequest(kvWriteInput());
  assert.deepEqual(manager.health().failingDevices, []);
});

test('declared devices that cannot be enabled are each named, with a reason that holds no secret option value', async () => {
  const mem = memorySinkFactory();
  const manager = createAuditManager({
    storage: createMemoryStorage(), clock: manualClock(1731627987000), log: silentLog, sinks: { memory: mem.factory, http: sinkFactories.http },
    settings: { allowApiAuditCreation: true, allowAuditLogPrefixing: false, blockTimeoutMs: 2_000 },
  });
  await manager.applyConfigDevices([{ path: 'cfg', type: 'memory' }]);
  const port = await freePort();
  const declared: ConfigDeviceDeclaration[] = [
    { path: 'cfg', type: 'memory', options: { fail: 'EACCES' } },
    // Nothing listens on this port: the test entry cannot be delivered.
    { path: 'siem', type: 'http', options: { uri: `http://127.0.0.1:${port}/hec/s3cret-path?token=s3cret-query`, headers: '{"Authorization":["Bearer s3cret-header"]}' } },
  ];
  try {
    await assert.rejects(manager.applyConfigDevices(declared), (err: unknown) => {
      code('audit_test_entry_failed')(err);
      assert.ok(err instanceof ConfigDevicesNotEnabled, 'the error names each device that failed');
      assert.deepEqual(err.failures.map((f) => f.device), ['cfg/', 'siem/']);
      assert.match(err.failures[0].reason, /^audit device "cfg\/" could not record its test entry, so it was not enabled: EACCES$/);
      assert.match(err.failures[1].reason, /^audit device "siem\/" could not record its test entry, so it was not enabled: http audit device: POST to http:\/\/127\.0\.0\.1:\d+ failed/);
      assert.doesNotMatch(JSON.stringify(err.failures), /s3cret/);
      return true;
    });
  } finally {
    await manager.close();
  }
});

test('audited request headers: picked case-insensitively, hashed when hmac, persisted', async () => {
  const { manager, storage, sinks } = setup();
  await manager.requestHeaders.set('X-Request-Source', { hmac: false });
  await manager.requestHeaders.set('x-secret-header', { hmac: true });
  assert.deepEqual(manager.requestHeaders.list(), { 'x-request-source': { hmac: false }, 'x-secret-header': { hmac: true } });
  assert.deepEqual(manager.requestHeaders.get('X-SECRET-HEADER'), { hmac: true });
  await manager.enable('mem', { type: 'memory' }, api);
  await manager.hooks.logRequest(kvWriteInput());
  const line = sinks.get('mem/')!.lines[1];
  const expected = `"headers":{"x-request-source":["ci"],"x-secret-header":["${manager.hash('mem', 'foo')}"]}`;
  assert.ok(line.includes(expected), line);
  assert.ok(!line.includes('user-agent'));

  await manager.requestHeaders.delete('x-request-source');
  const reloaded = setup({}, storage);
  await reloaded.manager.load();
  assert.deepEqual(reloaded.manager.requestHeaders.list(), { 'x-secret-header': { hmac: true } });
  await assert.rejects(manager.requestHeaders.set('bad header', { hmac: true }), code('invalid_header_name'));
});

test('reopenAll, metrics, health and close', async () => {
  const { manager, sinks } = setup();
  await manager.enable('a', { type: 'memory' }, api);
  await manager.reopenAll();
  assert.equal(sinks.get('a/')!.reopens, 1);
  await manager.hooks.logRequest(kvWriteInput());
  assert.match(manager.metricsText(), /^sealtrail_audit_device_writes_total\{path="a\/",result="success"\} 1$/m);
  assert.deepEqual(manager.health(), { failingDevices: [], lossyDevices: {}, deliveryConfirmed: true, warnings: [] });
  assert.throws(() => manager.hash('zzz', 'x'), code('unknown_audit_device'));
  await manager.close();
  assert.equal(sinks.get('a/')!.closed, true);
  // A request still in flight holds these hooks: its entries fail rather than go unrecorded.
  assert.equal(manager.hooks.enabled, true);
  await assert.rejects(manager.hooks.logResponse(kvWriteInput()), code('audit_not_recorded', 'internal'));
});

test('a reopen that never finishes (a file device behind a write to a pipe nobody reads) does not hold audit management: enable, disable and close go on', { timeout: 30_000 }, async () => {
  const { manager, sinks } = setup();
  await manager.enable('stuck', { type: 'memory' }, api);
  await manager.enable('other', { type: 'memory' }, api);
  const stuck = sinks.get('stuck/')!;
  stuck.reopen = () => new Promise<void>(() => undefined);
  await manager.reopenAll();
  assert.equal(sinks.get('other/')!.reopens, 1);
  await manager.enable('third', { type: 'memory' }, api);
  await manager.disable('third/');
  await manager.close();
  assert.equal(sinks.get('other/')!.closed, true);
});
