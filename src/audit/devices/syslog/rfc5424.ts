/**
 * RFC 5424 framing, written by hand:
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
 * with PRI = facility * 8 + severity (always informational, 6), TIMESTAMP in UTC with
 * microseconds (RFC 5424 allows at most six fraction digits), no structured data ("-"), and the
 * audit line (without its newline) as MSG. Stream transports add RFC 6587 octet counting.
 */

export const FACILITIES = {
  KERN: 0, USER: 1, MAIL: 2, DAEMON: 3, AUTH: 4, SYSLOG: 5, LPR: 6, NEWS: 7, UUCP: 8, CRON: 9,
  AUTHPRIV: 10, FTP: 11,
  LOCAL0: 16, LOCAL1: 17, LOCAL2: 18, LOCAL3: 19, LOCAL4: 20, LOCAL5: 21, LOCAL6: 22, LOCAL7: 23,
} as const;

export type FacilityName = keyof typeof FACILITIES;

export const SEVERITY_INFO = 6;
export const MSGID = 'audit';

/** Case-insensitive facility name to its code, or undefined. */
export function facilityCode(name: string): number | undefined {
  const key = name.trim().toUpperCase();
  return Object.prototype.hasOwnProperty.call(FACILITIES, key) ? FACILITIES[key as FacilityName] : undefined;
}

/** `2026-11-22T22:30:00.123456Z` */
export function syslogTimestamp(ns: bigint): string {
  const base = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const micros = ((ns % 1_000_000_000n) / 1000n).toString().padStart(6, '0');
  return `${base}.${micros}Z`;
}

/** RFC 5424 header fields are PRINTUSASCII without spaces; anything else becomes "_". */
export function headerField(value: string, maxLength: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, maxLength);
  return clean === '' ? '-' : clean;
}

export interface SyslogHeader {
  hostname: string;
  appName: string;
  procId: string;
}

/** The fixed part after TIMESTAMP, computed once per device. */
export function headerTail(header: SyslogHeader): string {
  return `${headerField(header.hostname, 255)} ${headerField(header.appName, 48)} ${headerField(header.procId, 128)} ${MSGID} -`;
}

export function formatMessage(facility: number, tail: string, timeNs: bigint, line: string): string {
  const msg = line.endsWith('\n') ? line.slice(0, -1) : line;
  return `<${facility * 8 + SEVERITY_INFO}>1 ${syslogTimestamp(timeNs)} ${tail} ${msg}`;
}

/** RFC 6587 octet counting: `LEN SP MSG`, LEN in bytes. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
