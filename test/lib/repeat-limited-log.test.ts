import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repeatLimited } from '../../src/lib/repeat-limited-log.js';

test('an error repeated once per request is written once per window, then with how many were left out', () => {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  let t = 0;
  const log = repeatLimited({ error: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }) }, { windowMs: 10_000, now: () => t });
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  for (let i = 0; i < 740; i++) log.error({ code: 'internal', err: full }, 'internal error');
  assert.equal(lines.length, 1);
  // Another kind of failure is told at once.
  log.error({ code: 'internal', err: new Error('EACCES: permission denied') }, 'internal error');
  log.error({ code: 'audit_not_recorded' }, 'internal error');
  assert.equal(lines.length, 3);
  t = 10_000;
  log.error({ code: 'internal', err: full }, 'internal error');
  assert.equal(lines.length, 4);
  assert.equal(lines[3].obj.repeated, 739);
  assert.equal(lines[3].obj.err, full);
  // After a quiet window the next one carries no count.
  t = 30_000;
  log.error({ code: 'internal', err: full }, 'internal error');
  assert.equal(lines[4].obj.repeated, undefined);
});
