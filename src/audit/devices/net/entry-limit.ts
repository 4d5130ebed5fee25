/**
 * `max_entry_bytes`: the largest entry a network device sends. A receiver truncates or, worse,
 * loses its framing on a message over its own limit (rsyslog's imtcp: every later message on the
 * connection becomes garbage), so a longer entry is never sent whole: the device sends it reduced
 * (audit/reduced-entry.ts), and only an entry still over the limit then is this device's failure
 * (the other devices decide whether the request is recorded).
 */
import type { ReducedLine } from '../../reduced-entry.js';
import type { OptionReader } from '../options.js';

/** The largest UDP payload over IPv4 (65535 minus the IP and UDP headers). */
export const MAX_DATAGRAM_BYTES = 65_507;

export function parseMaxEntryBytes(opt: OptionReader, fallback: number, datagram: boolean): number {
  return opt.int('max_entry_bytes', fallback, { min: 1, max: datagram ? MAX_DATAGRAM_BYTES : 1 << 30 });
}

/**
 * Undefined when `text` fits in `max` bytes of UTF-8, else its size. A UTF-16 code unit never
 * takes more than 3 bytes, so the usual entry is not measured at all.
 */
export function oversize(text: string, max: number): number | undefined {
  if (text.length * 3 <= max) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > max ? bytes : undefined;
}

export function entryTooLarge(device: string, bytes: number, max: number, reducedBytes?: number): Error {
  const reduced = reducedBytes === undefined ? '' : ` (${reducedBytes} bytes reduced)`;
  return Object.assign(new Error(`${device} audit device: the entry is ${bytes} bytes${reduced}, over max_entry_bytes (${max}); not sent`), { code: 'EMSGSIZE' });
}

/**
 * What a device sends for `line`: `message(line)` (the line in the device's framing) when it fits
 * in `max` bytes, else `message(reduced(size))` when that fits; else the error to fail the entry with.
 */
export function fittedMessage(device: string, line: string, max: number, message: (line: string) => string, reduced: ReducedLine | undefined): string | Error {
  const whole = message(line);
  const bytes = oversize(whole, max);
  if (bytes === undefined) return whole;
  if (!reduced) return entryTooLarge(device, bytes, max);
  const smaller = message(reduced(Buffer.byteLength(line, 'utf8')));
  const reducedBytes = oversize(smaller, max);
  return reducedBytes === undefined ? smaller : entryTooLarge(device, bytes, max, reducedBytes);
}
