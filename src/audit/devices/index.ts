/**
 * The audit device registry: type → sink factory. The map is exhaustive, so a new device type is
 * one folder plus one line here, and forgetting the line is a compile error.
 */
import { createFileSink } from './file/index.js';
import { createHttpSink } from './http/index.js';
import { parseHttpOptions, redactHttpOptions } from './http/options.js';
import { parseFileOptions } from './file/options.js';
import { parseRelpOptions } from './relp/options.js';
import { parseSocketEndpoint } from './socket/index.js';
import { parseSyslogOptions } from './syslog/index.js';
import { createRelpSink } from './relp/index.js';
import { createSocketSink } from './socket/index.js';
import { createSyslogSink } from './syslog/index.js';
import type { DeviceOptions, SinkFactory } from './types.js';

export type DeviceType = 'file' | 'socket' | 'syslog' | 'relp' | 'http';

export const sinkFactories: Record<DeviceType, SinkFactory> = {
  file: createFileSink,
  socket: createSocketSink,
  syslog: createSyslogSink,
  relp: createRelpSink,
  http: createHttpSink,
};

export const DEVICE_TYPES = Object.keys(sinkFactories) as readonly DeviceType[];

/**
 * Per type, the check of its own options that opening the device starts with (throws a 400 naming
 * the option): run alone, it lets a configuration be checked without opening anything.
 */
export const optionCheckers: Record<DeviceType, (options: DeviceOptions) => unknown> = {
  file: parseFileOptions,
  socket: parseSocketEndpoint,
  syslog: parseSyslogOptions,
  relp: parseRelpOptions,
  http: parseHttpOptions,
};

/** Per type, how its options are shown by `GET sys/audit` when some of them are credentials. */
const optionRedactors: Partial<Record<DeviceType, (options: DeviceOptions) => DeviceOptions>> = {
  http: redactHttpOptions,
};

/** A device's options as they may be shown to an operator: credentials replaced. */
export function shownOptions(type: string, options: DeviceOptions): DeviceOptions {
  return isDeviceType(type) ? (optionRedactors[type]?.(options) ?? options) : options;
}

export function isDeviceType(value: string): value is DeviceType {
  return Object.prototype.hasOwnProperty.call(sinkFactories, value);
}

export type { AuditSink, DeviceOptions, SinkContext, SinkFactory } from './types.js';
export { createFileSink, type FileSink, type FileSinkStats } from './file/index.js';
export { createHttpSink } from './http/index.js';
export { createSocketSink } from './socket/index.js';
export { createSyslogSink } from './syslog/index.js';
export { createRelpSink } from './relp/index.js';
export { optionReader, parseDurationMs, type OptionReader } from './options.js';
