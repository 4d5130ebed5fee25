/** RFC 3339 formatting and Vault-style duration parsing. */
import { JsonNumber, exactSafeInteger } from './json-number.js';

/** "000".."999", and the same without trailing zeros ("100" → "1"; "000" is never used). */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const TRIMMED3 = DIGITS3.map((d) => d.replace(/0+$/, ''));

/** The second rfc3339Nano formatted last: [start, end) in ns, and its date-and-time text. */
let secondStartNs = -1n;
let secondEndNs = -1n;
let secondText = '';
let wholeSecondText = '';
/** The last call's argument and result: every audit device formats the same entry's time. */
let lastNs = -1n;
let lastText = '';

/**
 * RFC 3339 with nanoseconds, UTC, as Go's `time.RFC3339Nano` writes it (Vault's audit `time`):
 * trailing zeros of the fraction are trimmed, e.g. `2024-11-14T23:46:27.382Z`.
 */
export function rfc3339Nano(ns: bigint): string {
  if (ns === lastNs) return lastText;
  lastNs = ns;
  return (lastText = formatNano(ns));
}

function formatNano(ns: bigint): string {
  // Entries arrive many per second: the date part is formatted once per second.
  if (ns < secondStartNs || ns >= secondEndNs) {
    const second = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
    secondStartNs = second * 1_000_000_000n;
    secondEndNs = secondStartNs + 1_000_000_000n;
    secondText = new Date(Number(second) * 1000).toISOString().slice(0, 19);
    wholeSecondText = secondText + 'Z';
  }
  const frac = Number(ns - secondStartNs);
  if (frac === 0) return wholeSecondText;
  // Three groups of three digits from tables (number-to-string conversion is slow), trailing
  // zeros trimmed. The fraction is one short flat string, so the result is two pieces
  // (see lib/flat-string.ts).
  const hi = Math.floor(frac / 1_000_000);
  const mid = Math.floor(frac / 1000) % 1000;
  const lo = frac % 1000;
  const fraction = lo !== 0 ? '.' + DIGITS3[hi] + DIGITS3[mid] + TRIMMED3[lo] + 'Z'
    : mid !== 0 ? '.' + DIGITS3[hi] + TRIMMED3[mid] + 'Z'
      : '.' + TRIMMED3[hi] + 'Z';
  return secondText + fraction;
}

/** `2024-11-14T23:46:27Z` — RFC 3339 without fraction. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a Vault duration to milliseconds, keeping sub-second precision ("250ms" → 250):
 * a number of seconds or a Go duration string. Undefined if it is not a duration. A number kept
 * as its literal text (lib/json-number.ts) counts when it is an exact integer, never rounded.
 */
export function parseDurationMs(given: unknown): number | undefined {
  const value = given instanceof JsonNumber ? exactSafeInteger(given) : given;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]] * 1000;
    consumed = re.lastIndex;
  }
  return consumed === s.length ? Math.round(total) : undefined;
}

/**
 * The longest duration Go's time.Duration holds (2562047h47m16.854775807s), whole seconds: what
 * Vault parses a duration into, and refuses beyond. Longer ones would overflow the times computed
 * from them (a `delete_version_after` of 10^14 s would make every later read of the key a 500).
 */
export const MAX_DURATION_SECONDS = 9_223_372_036;

/**
 * Parses a Vault duration: a number of seconds (`3600`, `"3600"`) or a Go duration string
 * (`"1h30m"`, `"90s"`, `"768h"`, `"7d"`), a kept number only when it is an exact integer.
 * Returns seconds, or undefined if it is not a duration or is longer than MAX_DURATION_SECONDS.
 */
export function parseDurationSeconds(given: unknown): number | undefined {
  const seconds = durationSeconds(given);
  return seconds !== undefined && seconds <= MAX_DURATION_SECONDS ? seconds : undefined;
}

/**
 * Whole seconds of a duration, down, except that a duration above zero is at least one second:
 * 0 means "not set" to every caller (a TTL, a policy's min_wrapping_ttl, a mount's max), so
 * `"500ms"` rounded to 0 would turn a limit into none.
 */
const wholeSeconds = (seconds: number) => (seconds > 0 && seconds < 1 ? 1 : Math.floor(seconds));

function durationSeconds(given: unknown): number | undefined {
  const value = given instanceof JsonNumber ? exactSafeInteger(given) : given;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? wholeSeconds(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) return undefined;
  return wholeSeconds(total);
}

/** Go's time.Duration.String() for whole seconds: `0s`, `30s`, `1m30s`, `1h0m0s`, `-1s`. */
export function goDuration(seconds: number): string {
  if (seconds < 0) return '-' + goDuration(-seconds);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date as CloudTrail records one in requestParameters and responseElements: "Jan 5, 2023, 3:10:39 PM" (UTC). */
export function cloudTrailDate(epochSeconds: number): string {
  const d = new Date(Math.round(epochSeconds * 1000));
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}
