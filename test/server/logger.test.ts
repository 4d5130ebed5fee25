import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, setLogLevel, standardLine } from '../../src/server/logger.js';

test('setLogLevel changes the root logger and every child made from it, grandchildren included', () => {
  const root = createLogger('error');
  const child = root.child({ module: 'audit' });
  const grandchild = child.child({ device: 'file/' });
  assert.equal(grandchild.isLevelEnabled('debug'), false);
  setLogLevel(root, 'debug');
  assert.deepEqual([root.level, child.level, grandchild.level], ['debug', 'debug', 'debug']);
  // A child made after the change starts at the new level and follows the next one.
  const later = root.child({ module: 'ha' });
  setLogLevel(root, 'warn');
  assert.deepEqual([root.level, child.level, grandchild.level, later.level], ['warn', 'warn', 'warn', 'warn']);
});

test('log_format = "standard" writes Vault\'s text lines: time, level, message, then key=value', () => {
  const line = standardLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), svc: 'sealtrail', msg: 'audit file device: the file was deleted while open', path: '/var/log/audit log', entries: 3, err: { type: 'Error', message: 'ENOSPC', stack: 'Error: ENOSPC\n    at x' } }));
  assert.equal(line, '2026-01-02T03:04:05.678Z [WARN]  audit file device: the file was deleted while open: path="/var/log/audit log" entries=3 err=ENOSPC\n');
  assert.equal(standardLine(JSON.stringify({ level: 50, time: 0, msg: 'internal error' })), '1970-01-01T00:00:00.000Z [ERROR] internal error\n');
  // Anything that is not one of pino's lines passes as it is.
  assert.equal(standardLine('not json\n'), 'not json\n');
});
