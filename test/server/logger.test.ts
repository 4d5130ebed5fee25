import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, setLogLevel } from '../../src/server/logger.js';

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
