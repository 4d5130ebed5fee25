import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionReader, parseDurationMs } from '../../../src/audit/devices/options.js';
import { SealtrailError } from '../../../src/errors/index.js';

function failure(fn: () => unknown): { kind: string; code: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SealtrailError);
    return { kind: err.kind, code: err.code, message: err.message };
  }
  assert.fail('expected an error');
}

describe('optionReader', () => {
  it('parses booleans', () => {
    const table: [string | undefined, boolean][] = [['true', true], ['TRUE', true], ['1', true], ['false', false], ['0', false], [undefined, true], ['', true]];
    for (const [raw, expected] of table) {
      const opt = optionReader('file', raw === undefined ? {} : { fsync: raw });
      assert.equal(opt.bool('fsync', true), expected, `fsync=${raw}`);
    }
  });

  it('parses durations to milliseconds', () => {
    const table: [string, number][] = [['2s', 2000], ['250ms', 250], ['24h', 86_400_000], ['90', 90_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['7d', 604_800_000]];
    for (const [raw, ms] of table) {
      assert.equal(parseDurationMs(raw), ms, raw);
      assert.equal(optionReader('socket', { write_timeout: raw }).durationMs('write_timeout', '2s'), ms);
    }
    assert.equal(optionReader('socket', {}).durationMs('write_timeout', '2s'), 2000);
    assert.equal(parseDurationMs('2 seconds'), undefined);
  });

  it('parses integers with ranges', () => {
    const opt = optionReader('http', { batch_max_lines: '50', retries: '11' });
    assert.equal(opt.int('batch_max_lines', 100, { min: 1 }), 50);
    assert.equal(opt.int('absent', 7), 7);
    assert.equal(opt.optionalInt('absent'), undefined);
    assert.deepEqual(failure(() => opt.int('retries', 2, { max: 10 })), {
      kind: 'invalid', code: 'invalid_audit_option', message: 'http audit device: option "retries" must be at most 10',
    });
  });

  it('rejects bad values with a message naming device and option', () => {
    const table: [() => unknown, string][] = [
      [() => optionReader('file', { fsync: 'yes' }).bool('fsync', false), 'file audit device: option "fsync" must be "true" or "false"'],
      [() => optionReader('socket', { write_timeout: 'soon' }).durationMs('write_timeout', '2s'), 'socket audit device: option "write_timeout" must be a duration such as "250ms", "2s" or "24h"'],
      [() => optionReader('socket', { write_timeout: '0s' }).durationMs('write_timeout', '2s'), 'socket audit device: option "write_timeout" must be greater than zero'],
      [() => optionReader('http', { retries: '-1' }).int('retries', 2), 'http audit device: option "retries" must be a non-negative integer'],
      [() => optionReader('http', { retries: '1.5' }).int('retries', 2), 'http audit device: option "retries" must be a non-negative integer'],
      [() => optionReader('file', {}).required('file_path'), 'file audit device: option "file_path" is required'],
      [() => optionReader('file', { file_path: '' }).required('file_path'), 'file audit device: option "file_path" is required'],
    ];
    for (const [fn, message] of table) assert.deepEqual(failure(fn), { kind: 'invalid', code: 'invalid_audit_option', message });
  });

  it('allows a zero duration only when asked', () => {
    assert.equal(optionReader('http', { batch_max_wait: '0s' }).durationMs('batch_max_wait', '0s', { allowZero: true }), 0);
  });
});
