/**
 * What a SIGHUP reports: the server log says the audit devices were reopened only when some were
 * open to reopen (unsealed and active), never while sealed or standing by; a declared device that
 * could not be enabled is named, with why, in the log and the journal's `reload` record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigDevicesNotEnabled, type AuditManager, type ConfigDeviceDeclaration } from '../../src/audit/index.js';
import { configReloader, type ReloadDeps } from '../../src/app/reload.js';
import { defaultConfig } from '../../src/config/index.js';
import { invalid } from '../../src/errors/index.js';
import type { ServerLogger } from '../../src/server/index.js';

function deps(audit: AuditManager | undefined) {
  const info: string[] = [];
  const events: string[] = [];
  const log = { info: (_o: object, msg: string) => info.push(msg), warn: () => {}, error: () => {} } as unknown as ServerLogger;
  const d: ReloadDeps = {
    dev: true,
    started: defaultConfig(),
    logLevelFlag: false,
    log,
    declarationsOf: () => [],
    setDeclarations: () => {},
    audit: () => audit,
    events: { record: (event) => void events.push(event) },
  };
  return { d, info, events };
}

test('unsealed: the audit devices are reopened and the log says so', async () => {
  let reopened = 0;
  const audit = { reopenAll: async () => { reopened++; } } as unknown as AuditManager;
  const { d, info, events } = deps(audit);
  const result = await configReloader(d)();
  assert.equal(result.ok, true);
  assert.equal(reopened, 1);
  assert.deepEqual(info, ['SIGHUP: configuration reloaded, audit devices reopened']);
  assert.deepEqual(events, ['reload']);
});

test('sealed or standing by: no device is open, and the log does not claim one was reopened', async () => {
  const { d, info, events } = deps(undefined);
  const result = await configReloader(d)();
  assert.equal(result.ok, true);
  assert.equal(info.length, 1);
  assert.doesNotMatch(info[0], /reopened/);
  assert.match(info[0], /no audit device is open while sealed or standing by/);
  assert.deepEqual(events, ['reload']);
});

test('a device the file declares that cannot be enabled: the reload record and the log name it and why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-reload-'));
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n');
  try {
    const failures = [
      { device: 'relp-new/', error: invalid('audit device "relp-new/" could not record its test entry, so it was not enabled: relp audit device: delivery to 127.0.0.1:18418 failed: ECONNREFUSED', 'audit_test_entry_failed') },
      // Not one of the product's errors: its message may hold anything, so only its errno code is kept.
      { device: 'siem/', error: Object.assign(new Error('connect to https://user:s3cret@siem.example/?token=s3cret failed'), { code: 'ECONNREFUSED' }) },
    ];
    const audit = {
      applyConfigDevices: async () => { throw new ConfigDevicesNotEnabled(failures); },
      reopenAll: async () => {},
    } as unknown as AuditManager;
    const logged: object[] = [];
    const records: Array<{ event: string; details: Record<string, string>; outcome?: string }> = [];
    const { d } = deps(audit);
    d.configPath = configPath;
    d.declarationsOf = (c) => (c === d.started ? [] : [{ path: 'relp-new/', type: 'relp' }, { path: 'siem/', type: 'http' }]);
    d.log = { info: () => {}, warn: () => {}, error: (o: object) => void logged.push(o) } as unknown as ServerLogger;
    d.events = { record: (event, details, outcome) => void records.push({ event, details: details as Record<string, string>, outcome }) };

    const result = await configReloader(d)();
    assert.deepEqual(result, { ok: false, applied: [], restartRequired: [], problem: 'audit_device' });
    assert.deepEqual(records, [{
      event: 'reload', outcome: 'failure',
      details: {
        applied: '', restart_required: '', problem: 'audit_device', device: 'relp-new/,siem/',
        reason: 'relp-new/: audit device "relp-new/" could not record its test entry, so it was not enabled: relp audit device: delivery to 127.0.0.1:18418 failed: ECONNREFUSED; siem/: ECONNREFUSED',
      },
    }]);
    assert.deepEqual(logged, [
      { device: 'relp-new/', reason: 'audit device "relp-new/" could not record its test entry, so it was not enabled: relp audit device: delivery to 127.0.0.1:18418 failed: ECONNREFUSED' },
      { device: 'siem/', reason: 'ECONNREFUSED' },
    ]);
    assert.doesNotMatch(JSON.stringify([records, logged]), /s3cret/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload that changes the declared devices names each one removed, added or changed in the reload record, and warns of a removal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-reload-'));
  const configPath = join(dir, 'config.hcl');
  writeFileSync(configPath, 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n');
  try {
    const audit = { applyConfigDevices: async () => {}, reopenAll: async () => {} } as unknown as AuditManager;
    const warned: Array<[object, string]> = [];
    const records: Array<{ details: Record<string, string>; outcome?: string }> = [];
    const { d } = deps(audit);
    d.configPath = configPath;
    const before: ConfigDeviceDeclaration[] = [{ path: 'offsite', type: 'file', options: { file_path: '/a', required: 'true' } }, { path: 'local/', type: 'file', options: { file_path: '/b' } }, { path: 'same/', type: 'file', options: { file_path: '/c' } }];
    const after: ConfigDeviceDeclaration[] = [{ path: 'local/', type: 'file', options: { file_path: '/b2' } }, { path: 'same', type: 'file', options: { file_path: '/c' } }, { path: 'new/', type: 'socket', options: { address: 'x:1' } }];
    d.declarationsOf = (c) => (c === d.started ? before : after);
    d.log = { info: () => {}, warn: (o: object, msg: string) => void warned.push([o, msg]), error: () => {} } as unknown as ServerLogger;
    d.events = { record: (_event, details, outcome) => void records.push({ details: details as Record<string, string>, outcome }) };

    const result = await configReloader(d)();
    assert.deepEqual(result.applied, ['audit']);
    assert.equal(records.length, 1);
    const { restart_required: _restart, ...details } = records[0].details;
    assert.equal(records[0].outcome, 'success');
    assert.deepEqual(details, { applied: 'audit', audit_removed: 'offsite/', audit_added: 'new/', audit_changed: 'local/' });
    assert.deepEqual(warned.filter(([, msg]) => /audit/.test(msg)), [[{ devices: ['offsite/'] }, 'SIGHUP: audit devices the configuration no longer declares were disabled']]);
    assert.doesNotMatch(JSON.stringify(records), /\/b2|x:1/, 'option values stay out of the record');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
