/**
 * Typed access to a device's string options (Vault passes every option as a string). Each reader
 * names its device so errors read `file audit device: option "mode" must be ...`. An empty string
 * counts as absent, as in Vault. Unknown options are ignored here: the broker owns the common ones
 * (format, prefix, filter, ...).
 *
 * @example
 *   const opt = optionReader('socket', ctx.options);
 *   const timeoutMs = opt.durationMs('write_timeout', '2s');
 */
import { invalid, type SealtrailError } from '../../errors/index.js';
import { parseDurationMs } from '../../lib/time.js';
import type { DeviceOptions } from './types.js';

export interface IntRange {
  min?: number;
  max?: number;
}

export interface OptionReader {
  /** The raw value, or undefined when absent or empty. */
  get(name: string): string | undefined;
  required(name: string): string;
  string(name: string, fallback: string): string;
  /** Accepts true/false/1/0 (case-insensitive). */
  bool(name: string, fallback: boolean): boolean;
  int(name: string, fallback: number, range?: IntRange): number;
  optionalInt(name: string, range?: IntRange): number | undefined;
  /** A Vault duration ("2s", "250ms", "24h", "90") in milliseconds; must be > 0 unless allowed. */
  durationMs(name: string, fallback: string, options?: { allowZero?: boolean }): number;
  optionalDurationMs(name: string): number | undefined;
  /** An error naming the device and option, for device-specific checks. */
  fail(name: string, problem: string): SealtrailError;
}

export const INVALID_OPTION_CODE = 'invalid_audit_option';

/** Re-exported for the device modules; the shared grammar lives in src/lib/time.ts. */
export { parseDurationMs };

export function optionReader(device: string, options: DeviceOptions): OptionReader {
  const fail = (name: string, problem: string) =>
    invalid(`${device} audit device: option "${name}" ${problem}`, INVALID_OPTION_CODE);

  const get = (name: string): string | undefined => {
    const value = Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };

  const parseInt10 = (name: string, raw: string, range: IntRange): number => {
    const text = raw.trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n)) throw fail(name, 'must be a non-negative integer');
    if (range.min !== undefined && n < range.min) throw fail(name, `must be at least ${range.min}`);
    if (range.max !== undefined && n > range.max) throw fail(name, `must be at most ${range.max}`);
    return n;
  };

  const parseDuration = (name: string, raw: string, allowZero = false): number => {
    const ms = parseDurationMs(raw);
    if (ms === undefined) throw fail(name, 'must be a duration such as "250ms", "2s" or "24h"');
    if (ms <= 0 && !allowZero) throw fail(name, 'must be greater than zero');
    return ms;
  };

  return {
    get,
    fail,
    required(name) {
      const value = get(name);
      if (value === undefined) throw fail(name, 'is required');
      return value;
    },
    string: (name, fallback) => get(name) ?? fallback,
    bool(name, fallback) {
      const raw = get(name);
      if (raw === undefined) return fallback;
      const text = raw.trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw fail(name, 'must be "true" or "false"');
    },
    int(name, fallback, range = {}) {
      const raw = get(name);
      return raw === undefined ? fallback : parseInt10(name, raw, range);
    },
    optionalInt(name, range = {}) {
      const raw = get(name);
      return raw === undefined ? undefined : parseInt10(name, raw, range);
    },
    durationMs: (name, fallback, options) => parseDuration(name, get(name) ?? fallback, options?.allowZero),
    optionalDurationMs(name) {
      const raw = get(name);
      return raw === undefined ? undefined : parseDuration(name, raw);
    },
  };
}
