/** The `relp` device's options, validated; every limit is explicit. */
import { parseHostPort } from '../net/endpoint.js';
import { optionReader } from '../options.js';
import { facilityCode } from '../syslog/rfc5424.js';
import type { DeviceOptions } from '../types.js';
import type { SessionTarget } from './session.js';

/**
 * imrelp's default maxDataSize is rsyslog's global maxMessageSize, documented as "8k" but built in
 * as 8096 bytes: a longer message is truncated by imrelp and still acknowledged.
 */
export const DEFAULT_MAX_ENTRY_BYTES = 8096;
/** librelp's default window. */
export const DEFAULT_WINDOW_SIZE = 128;
export const MAX_WINDOW_SIZE = 1024;
export const MAX_ENTRY_BYTES_LIMIT = 64 * 1024 * 1024;
/** The broker gives up on a write after audit_block_timeout anyway; this only bounds the device. */
export const MAX_WRITE_TIMEOUT_MS = 60_000;

export interface RelpSettings {
  target: SessionTarget;
  facility: number;
  tag: string;
  timeoutMs: number;
  windowSize: number;
  maxEntryBytes: number;
}

export function parseRelpOptions(options: DeviceOptions): RelpSettings {
  const opt = optionReader('relp', options);
  const target = parseHostPort(opt.required('address'));
  if (!target) throw opt.fail('address', 'must be "host:port" or "[v6]:port"');
  const facility = facilityCode(opt.string('facility', 'AUTH'));
  if (facility === undefined) throw opt.fail('facility', 'must be a syslog facility such as AUTH, DAEMON or LOCAL0..LOCAL7');
  const tag = opt.string('tag', 'sealtrail');
  if (!/^[\x21-\x7e]{1,48}$/.test(tag)) throw opt.fail('tag', 'must be 1 to 48 printable ASCII characters without spaces');
  const timeoutMs = opt.durationMs('write_timeout', '2s');
  if (timeoutMs > MAX_WRITE_TIMEOUT_MS) throw opt.fail('write_timeout', `must be at most ${MAX_WRITE_TIMEOUT_MS / 1000}s`);
  return {
    target,
    facility,
    tag,
    timeoutMs,
    windowSize: opt.int('window_size', DEFAULT_WINDOW_SIZE, { min: 1, max: MAX_WINDOW_SIZE }),
    maxEntryBytes: opt.int('max_entry_bytes', DEFAULT_MAX_ENTRY_BYTES, { min: 256, max: MAX_ENTRY_BYTES_LIMIT }),
  };
}
