import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFailureText } from '../../src/cli/commands/server.js';
import { internal, invalid } from '../../src/errors/index.js';
import { ConfigDevicesNotEnabled } from '../../src/audit/index.js';

test('a start stopped by an internal error names its cause, not only "internal error"', () => {
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  assert.equal(startFailureText(internal(full)), 'internal error: database or disk is full (SQLITE_FULL)');
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.equal(startFailureText(internal(new Error('the journal could not write its spool', { cause: enospc }))),
    'internal error: the journal could not write its spool: ENOSPC: no space left on device, write');
  assert.equal(startFailureText(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8200')), 'listen EADDRINUSE: address already in use 127.0.0.1:8200');
});

test('a cause that only repeats the message before it (a declared audit device on a full disk) is not said twice', () => {
  const testEntry = invalid('audit device "file/" could not record its test entry, so it was not enabled: file audit device: write to /var/log/audit.log failed: ENOSPC', 'audit_test_entry_failed');
  assert.equal(startFailureText(new ConfigDevicesNotEnabled([{ device: 'file/', error: testEntry }])),
    'audit device "file/" could not record its test entry, so it was not enabled: file audit device: write to /var/log/audit.log failed: ENOSPC');
});
