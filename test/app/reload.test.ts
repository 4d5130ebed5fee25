/**
 * What a SIGHUP reports: the server log says the audit devices were reopened only when some were
 * open to reopen (unsealed and active), never while sealed or standing by.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditManager } from '../../src/audit/index.js';
import { configReloader, type ReloadDeps } from '../../src/app/reload.js';
import { defaultConfig } from '../../src/config/index.js';
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
