import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFailureText } from '../../src/cli/commands/server.js';
import { internal } from '../../src/errors/index.js';

test('a start stopped by an internal error names its cause, not only "internal error"', () => {
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  assert.equal(startFailureText(internal(full)), 'internal error: database or disk is full (SQLITE_FULL)');
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.equal(startFailureText(internal(new Error('the journal could not write its spool', { cause: enospc }))),
    'internal error: the journal could not write its spool: ENOSPC: no space left on device, write');
  assert.equal(startFailureText(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8200')), 'listen EADDRINUSE: address already in use 127.0.0.1:8200');
});
