/**
 * `max_entry_bytes`: the largest entry a network device sends. A receiver truncates or, worse,
 * loses its framing on a message over its own limit (rsyslog's imtcp: every later message on the
 * connection becomes garbage), so an entry over the limit is this device's failure and is never
 * sent; the other devices decide whether the request is recorded.
 */
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

export function entryTooLarge(device: string, bytes: number, max: number): Error {
  return Object.assign(new Error(`${device} audit device: the entry is ${bytes} bytes, over max_entry_bytes (${max}); not sent`), { code: 'EMSGSIZE' });
}
