/** The file device's options, validated once when the device is enabled. */
import { resolve } from 'node:path';
import type { DeviceOptions } from '../types.js';
import { optionReader } from '../options.js';

export type FileTarget =
  | { kind: 'stdout' }
  | { kind: 'discard' }
  | { kind: 'path'; path: string; settings: FileSettings };

export interface RotationPolicy {
  /** Rotate before a line that would take the file past this size. */
  maxBytes?: number;
  /** Rotate a non-empty file once it has been open this long (by the sink's clock). */
  intervalMs?: number;
  /** Rotated files kept; older ones are deleted. 0 keeps them all. */
  maxFiles: number;
}

export interface FileSettings {
  /** Permission bits applied to the file; 0 leaves an existing file's mode alone (as Vault). */
  mode: number;
  /** Durable mode: a line is acknowledged only after an fsync covering it. */
  fsync: boolean;
  rotation?: RotationPolicy;
}

export const DEFAULT_MODE = 0o600;
export const DEFAULT_MAX_ROTATED_FILES = 10;

export function parseFileOptions(options: DeviceOptions): FileTarget {
  const opt = optionReader('file', options);
  const filePath = opt.required('file_path');
  const rotationKeys = ['rotate_max_bytes', 'rotate_interval', 'rotate_max_files'].filter((k) => opt.get(k) !== undefined);
  if (filePath === 'stdout' || filePath === 'discard') {
    if (rotationKeys.length > 0) throw opt.fail(rotationKeys[0], `cannot be used with file_path "${filePath}"`);
    if (opt.get('fsync') !== undefined) throw opt.fail('fsync', `cannot be used with file_path "${filePath}"`);
    return { kind: filePath };
  }

  const rawMode = opt.string('mode', '0600').trim();
  // An octal number as Vault reads it (strconv.ParseUint base 8): "0600", "600" and "0" alike.
  if (!/^[0-7]{1,8}$/.test(rawMode)) throw opt.fail('mode', 'must be an octal permission such as "0600"');
  const mode = parseInt(rawMode, 8);
  if (mode > 0o777) throw opt.fail('mode', 'must not set setuid, setgid or sticky bits');
  // CVE-2025-6000 / CVE-2025-54997: a file device whose path and prefix an attacker could choose
  // wrote a file with executable permissions — a script or plugin binary the server would later
  // run. An audit log never needs an executable bit, so any mode that grants one is refused.
  if ((mode & 0o111) !== 0) throw opt.fail('mode', 'must not grant execute permission (audit logs are never executable)');

  const maxBytes = opt.optionalInt('rotate_max_bytes', { min: 1 });
  const intervalMs = opt.optionalDurationMs('rotate_interval');
  const maxFiles = opt.int('rotate_max_files', DEFAULT_MAX_ROTATED_FILES, { min: 0 });
  const rotation = maxBytes !== undefined || intervalMs !== undefined ? { maxBytes, intervalMs, maxFiles } : undefined;
  if (rotation === undefined && opt.get('rotate_max_files') !== undefined) {
    throw opt.fail('rotate_max_files', 'needs rotate_max_bytes or rotate_interval');
  }

  return { kind: 'path', path: resolve(filePath), settings: { mode, fsync: opt.bool('fsync', false), rotation } };
}
